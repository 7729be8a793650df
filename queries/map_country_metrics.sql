-- purpose: Per-country counts of trials, projects and award money for the world map (one row per country in the filter).
-- params:
--   $f         STRUCT   filter state (msprogress.filters.Filters.as_struct)
--   $currency  VARCHAR  'EUR', 'USD' or 'GBP'
-- columns:
--   iso3                 VARCHAR  ISO 3166-1 alpha-3 code
--   country              VARCHAR  short English country name
--   trials               BIGINT   MS trials with a listed site in the country (CTIS: all countries; ClinicalTrials.gov: first listed site only); 0 when none
--   progressive_trials   BIGINT   of which in a progressive MS population; 0 when none
--   recruiting_trials    BIGINT   of which recruiting (incl. not yet recruiting, by invitation); 0 when none
--   projects             BIGINT   research projects whose lead organisation is in the country; 0 when none
--   award_rows           BIGINT   award records (never programme totals) of organisations in the country; 0 when none
--   awards_with_amount   BIGINT   of which stating an amount
--   awarded              DOUBLE   sum of stated award amounts in $currency; NULL (missing, not zero) when no award states an amount
--   latitude             DOUBLE   the country's centre (where a place known only by its country is drawn), degrees
--   longitude            DOUBLE   the country's centre, degrees
--   west                 DOUBLE   western edge of the country's main land masses (the map zooms to them), degrees
--   south                DOUBLE   southern edge, degrees
--   east                 DOUBLE   eastern edge (may exceed 180 for land crossing the antimeridian), degrees
--   north                DOUBLE   northern edge, degrees
with in_scope as (
    select
        c.iso3,
        c.name as country,
        c.latitude,
        c.longitude,
        c.west,
        c.south,
        c.east,
        c.north
    from countries as c
    where c.iso3 in (select iso3 from matching_countries($f))
),

trial_counts as (
    -- NOTE: (trial_id, iso3) is trial_countries' primary key (checked at build), so counting rows
    -- per country counts distinct trials, without count(distinct …)'s hash set per country.
    select
        tc.iso3,
        count(*) as trials,
        count(*) filter (where t.is_progressive) as progressive_trials,
        count(*) filter (where t.status_group = 'Recruiting') as recruiting_trials
    from filtered_trials($f) as t
    inner join trial_countries as tc on tc.trial_id = t.trial_id
    group by tc.iso3
),

project_counts as (
    select
        iso3,
        count(*) as projects
    from filtered_projects($f)
    where iso3 is not null
    group by iso3
),

award_money as (
    select
        iso3,
        count(*) as award_rows,
        count(in_currency($currency, amount_eur, amount_usd, amount_gbp)) as awards_with_amount,
        sum(in_currency($currency, amount_eur, amount_usd, amount_gbp)) as awarded
    from filtered_grants($f)
    where record_type = 'award'
      and iso3 is not null
    group by iso3
),

final as (
    select
        s.iso3,
        s.country,
        coalesce(t.trials, 0) as trials,
        coalesce(t.progressive_trials, 0) as progressive_trials,
        coalesce(t.recruiting_trials, 0) as recruiting_trials,
        coalesce(p.projects, 0) as projects,
        coalesce(a.award_rows, 0) as award_rows,
        coalesce(a.awards_with_amount, 0) as awards_with_amount,
        a.awarded,
        s.latitude,
        s.longitude,
        s.west,
        s.south,
        s.east,
        s.north
    from in_scope as s
    left join trial_counts as t on t.iso3 = s.iso3
    left join project_counts as p on p.iso3 = s.iso3
    left join award_money as a on a.iso3 = s.iso3
)

select * from final
order by iso3

-- purpose: Trial sites of the matching trials, one row per place, for the map's point layer: every listed country of every trial is placed (the registry's coordinates, the site city geocoded offline, or the country's centre when the registry gives no city, e.g. CTIS).
-- params:
--   $f  STRUCT  filter state (msprogress.filters.Filters.as_struct)
-- columns:
--   place                VARCHAR  the site city as the registry writes it (alphabetically first spelling at this place), or the country's name for its centre
--   iso3                 VARCHAR  ISO 3166-1 alpha-3 code
--   country              VARCHAR  short English country name
--   latitude             DOUBLE   latitude of the place, degrees
--   longitude            DOUBLE   longitude of the place, degrees
--   location_precision   VARCHAR  how the place was found: source, city or country (the country's centre: no city given)
--   trials               BIGINT   matching trials with a site here (at a country's centre: listed in the country, no city given)
--   progressive_trials   BIGINT   of which in a progressive MS population
--   recruiting_trials    BIGINT   of which recruiting (incl. not yet recruiting, by invitation)
--   basis                VARCHAR  which sites the sources list ('country of first listed site' for the ClinicalTrials.gov export)
with sites as (
    select
        tc.city,
        tc.iso3,
        tc.latitude,
        tc.longitude,
        tc.location_precision,
        tc.basis,
        t.is_progressive,
        t.status_group
    from filtered_trials($f) as t
    inner join trial_countries as tc on tc.trial_id = t.trial_id
    where tc.latitude is not null
      and tc.longitude is not null
      and (not has_place_filter($f) or tc.iso3 in (select iso3 from chosen_countries($f)))
),

final as (
    select
        case when s.location_precision = 'country' then c.name else min(s.city) end as place,
        s.iso3,
        c.name as country,
        s.latitude,
        s.longitude,
        s.location_precision,
        -- a trial has one row per country (trial_countries' primary key), so one per place
        count(*) as trials,
        count(*) filter (where s.is_progressive) as progressive_trials,
        count(*) filter (where s.status_group = 'Recruiting') as recruiting_trials,
        string_agg(distinct s.basis, '; ') as basis
    from sites as s
    left join countries as c on c.iso3 = s.iso3
    group by s.iso3, c.name, s.latitude, s.longitude, s.location_precision
)

select * from final
order by trials desc, place

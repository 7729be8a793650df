-- purpose: Lead organisations of the matching research projects and awards, one row per place, for the map's point layer (every organisation with a known country is placed: see projects.location_precision).
-- params:
--   $f         STRUCT   filter state (msprogress.filters.Filters.as_struct)
--   $currency  VARCHAR  'EUR', 'USD' or 'GBP'
-- columns:
--   iso3                   VARCHAR  ISO 3166-1 alpha-3 code
--   country                VARCHAR  short English country name
--   city                   VARCHAR  the organisations' city as the funder writes it (first spelling), where given
--   latitude               DOUBLE   latitude of the place, degrees
--   longitude              DOUBLE   longitude of the place, degrees
--   location_precision     VARCHAR  how the place was found: source, organisation, city, city in name or country (its centre: no city given)
--   organisations          BIGINT   lead organisations at this place
--   names                  VARCHAR  up to three of them, most projects first, '; '-joined
--   projects               BIGINT   matching projects led from here; 0 when none
--   progressive_projects   BIGINT   of which progressive-specific
--   award_rows             BIGINT   matching award records (never programme totals) of projects led from here; 0 when none
--   awards_with_amount     BIGINT   of which stating an amount
--   awarded                DOUBLE   sum of stated award amounts in $currency; NULL (missing, not zero) when no award states one
with org_projects as (
    select
        organisation,
        iso3,
        latitude,
        longitude,
        location_precision,
        min(city) as city,
        count(*) as projects,
        count(*) filter (where ms_relevance = 'Progressive-specific') as progressive_projects
    from filtered_projects($f)
    where latitude is not null
    group by organisation, iso3, latitude, longitude, location_precision
),

org_awards as (
    select
        p.organisation,
        p.iso3,
        p.latitude,
        p.longitude,
        p.location_precision,
        min(p.city) as city,
        count(*) as award_rows,
        count(in_currency($currency, g.amount_eur, g.amount_usd, g.amount_gbp)) as awards_with_amount,
        sum(in_currency($currency, g.amount_eur, g.amount_usd, g.amount_gbp)) as awarded
    from filtered_grants($f) as g
    inner join projects as p on p.project_id = g.project_id
    where g.record_type = 'award'
      and p.latitude is not null
    group by p.organisation, p.iso3, p.latitude, p.longitude, p.location_precision
),

orgs as (
    select
        coalesce(a.organisation, b.organisation) as organisation,
        coalesce(a.iso3, b.iso3) as iso3,
        coalesce(a.latitude, b.latitude) as latitude,
        coalesce(a.longitude, b.longitude) as longitude,
        coalesce(a.location_precision, b.location_precision) as location_precision,
        coalesce(a.city, b.city) as city,
        coalesce(a.projects, 0) as projects,
        coalesce(a.progressive_projects, 0) as progressive_projects,
        coalesce(b.award_rows, 0) as award_rows,
        coalesce(b.awards_with_amount, 0) as awards_with_amount,
        b.awarded
    from org_projects as a
    full outer join org_awards as b
        on a.organisation is not distinct from b.organisation
        and a.iso3 is not distinct from b.iso3
        and a.latitude = b.latitude
        and a.longitude = b.longitude
        and a.location_precision is not distinct from b.location_precision
),

final as (
    select
        o.iso3,
        c.name as country,
        min(o.city) as city,
        o.latitude,
        o.longitude,
        o.location_precision,
        count(distinct o.organisation) as organisations,
        array_to_string(
            (list(o.organisation order by o.projects desc, o.award_rows desc, o.organisation)
                filter (where o.organisation is not null))[1:3],
            '; '
        ) as names,
        cast(sum(o.projects) as bigint) as projects,
        cast(sum(o.progressive_projects) as bigint) as progressive_projects,
        cast(sum(o.award_rows) as bigint) as award_rows,
        cast(sum(o.awards_with_amount) as bigint) as awards_with_amount,
        sum(o.awarded) as awarded
    from orgs as o
    left join countries as c on c.iso3 = o.iso3
    group by o.iso3, c.name, o.latitude, o.longitude, o.location_precision
)

select * from final
order by projects desc, awarded desc nulls last, names

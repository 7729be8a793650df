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
        org_place_key,
        any_value(organisation) as organisation,
        any_value(iso3) as iso3,
        any_value(country) as country,
        any_value(latitude) as latitude,
        any_value(longitude) as longitude,
        any_value(location_precision) as location_precision,
        min(city) as city,
        count(*) as projects,
        count(*) filter (where is_progressive) as progressive_projects
    from serve_projects
    where funding_filter($f)
      and latitude is not null
    group by org_place_key
),

org_awards as (
    -- the awards' projects' lead organisations (serve_grants carries its project's place)
    select
        project_org_place_key as org_place_key,
        any_value(project_organisation) as organisation,
        any_value(project_iso3) as iso3,
        any_value(project_country) as country,
        any_value(project_latitude) as latitude,
        any_value(project_longitude) as longitude,
        any_value(project_location_precision) as location_precision,
        min(project_city) as city,
        count(*) as award_rows,
        count(in_currency($currency, amount_eur, amount_usd, amount_gbp)) as awards_with_amount,
        sum(in_currency($currency, amount_eur, amount_usd, amount_gbp)) as awarded
    from serve_grants
    where funding_filter($f)
      and record_type = 'award'
      and project_latitude is not null
    group by project_org_place_key
),

orgs as (
    select
        coalesce(a.organisation, b.organisation) as organisation,
        coalesce(a.iso3, b.iso3) as iso3,
        coalesce(a.country, b.country) as country,
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
    full outer join org_awards as b on a.org_place_key = b.org_place_key
),

final as (
    select
        iso3,
        country,
        min(city) as city,
        latitude,
        longitude,
        location_precision,
        count(distinct organisation) as organisations,
        array_to_string(
            (list(organisation order by projects desc, award_rows desc, organisation)
                filter (where organisation is not null))[1:3],
            '; '
        ) as names,
        cast(sum(projects) as bigint) as projects,
        cast(sum(progressive_projects) as bigint) as progressive_projects,
        cast(sum(award_rows) as bigint) as award_rows,
        cast(sum(awards_with_amount) as bigint) as awards_with_amount,
        sum(awarded) as awarded
    from orgs
    group by iso3, country, latitude, longitude, location_precision
)

select * from final
order by projects desc, awarded desc nulls last, names, iso3, latitude, longitude, location_precision

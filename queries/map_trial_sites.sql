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
    -- NOTE: a site is shown when its trial matches and, with a place filter, its own country is chosen
    select
        place_key,
        iso3,
        country,
        latitude,
        longitude,
        location_precision,
        city,
        basis,
        is_progressive,
        status_group
    from serve_trial_sites
    where trial_filter($f)
      and in_place($f, site_iso3, site_region)
      and latitude is not null
      and longitude is not null
),

-- counted per place and basis first (integer and short keys), then per place
by_basis as (
    select
        place_key,
        basis,
        any_value(iso3) as iso3,
        any_value(country) as country,
        any_value(latitude) as latitude,
        any_value(longitude) as longitude,
        any_value(location_precision) as location_precision,
        min(city) as city,
        -- a trial has one row per country (trial_countries' primary key), so one per place
        count(*) as trials,
        count(*) filter (where is_progressive) as progressive_trials,
        count(*) filter (where status_group = 'Recruiting') as recruiting_trials
    from sites
    group by place_key, basis
),

final as (
    select
        case when any_value(location_precision) = 'country' then any_value(country) else min(city) end as place,
        any_value(iso3) as iso3,
        any_value(country) as country,
        any_value(latitude) as latitude,
        any_value(longitude) as longitude,
        any_value(location_precision) as location_precision,
        cast(sum(trials) as bigint) as trials,
        cast(sum(progressive_trials) as bigint) as progressive_trials,
        cast(sum(recruiting_trials) as bigint) as recruiting_trials,
        string_agg(basis, '; ' order by basis) as basis
    from by_basis
    group by place_key
)

select * from final
order by trials desc, place, iso3, latitude, longitude, location_precision

-- purpose: Geocoded trial sites (city level) of the matching trials, one row per place, for the map's point layer.
-- params:
--   $f  STRUCT  filter state (msprogress.filters.Filters.as_struct)
-- columns:
--   city                 VARCHAR  site city as the registry writes it (alphabetically first spelling at this place)
--   iso3                 VARCHAR  ISO 3166-1 alpha-3 code
--   country              VARCHAR  short English country name
--   latitude             DOUBLE   city latitude (offline GeoNames gazetteer), degrees
--   longitude            DOUBLE   city longitude (offline GeoNames gazetteer), degrees
--   trials               BIGINT   matching trials with a site at this place
--   progressive_trials   BIGINT   of which in a progressive MS population
--   basis                VARCHAR  which sites the source lists ('country of first listed site' for ClinicalTrials.gov)
with sites as (
    select
        tc.city,
        tc.iso3,
        tc.latitude,
        tc.longitude,
        tc.basis,
        t.trial_id,
        t.is_progressive
    from filtered_trials($f) as t
    inner join trial_countries as tc on tc.trial_id = t.trial_id
    where tc.latitude is not null
      and tc.longitude is not null
      and (not has_place_filter($f) or tc.iso3 in (select iso3 from chosen_countries($f)))
),

final as (
    select
        min(s.city) as city,
        s.iso3,
        c.name as country,
        s.latitude,
        s.longitude,
        -- a trial has one row per country (trial_countries' primary key), so one per place
        count(*) as trials,
        count(*) filter (where s.is_progressive) as progressive_trials,
        string_agg(distinct s.basis, '; ') as basis
    from sites as s
    left join countries as c on c.iso3 = s.iso3
    group by s.iso3, c.name, s.latitude, s.longitude
)

select * from final
order by trials desc, city

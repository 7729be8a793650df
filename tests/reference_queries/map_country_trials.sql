-- purpose: The matching trials with a listed site in one country, for the map's country detail: the 5,000 newest (map_country_counts gives how many match).
-- params:
--   $f     STRUCT   filter state (msprogress.filters.Filters.as_struct)
--   $iso3  VARCHAR  the country selected on the map (ISO-3)
-- columns:
--   trial_id      VARCHAR  registry identifier
--   registry      VARCHAR  ClinicalTrials.gov or CTIS
--   brief_title   VARCHAR  short title as registered
--   phase         VARCHAR  normalised phase
--   status        VARCHAR  overall recruitment status as the registry states it
--   population    VARCHAR  MS population studied
--   start_date    DATE     study start
--   city          VARCHAR  site city in the country, where given
--   basis         VARCHAR  'all trial countries' (CTIS) or 'country of first listed site' (ClinicalTrials.gov)
--   url           VARCHAR  the trial's registry page
with in_country as (
    -- one row per trial and country: trial_countries' primary key
    select
        tc.trial_id,
        tc.city,
        tc.basis
    from trial_countries as tc
    where tc.iso3 = $iso3
),

final as (
    select
        t.trial_id,
        t.registry,
        t.brief_title,
        t.phase,
        t.status,
        t.population,
        t.start_date,
        c.city,
        c.basis,
        t.url
    from filtered_trials($f) as t
    inner join in_country as c on c.trial_id = t.trial_id
    order by t.start_date desc nulls last, t.trial_id
    limit 5000  -- the table's display cap: a country can hold most of the data (USA)
)

select * from final
order by start_date desc nulls last, trial_id

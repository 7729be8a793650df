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

-- NOTE: site_order ranks a country's trials newest start first (queries/_serving.sql): the list is
-- found on the rank alone, then its rows read by it.
with shown as (
    select site_order
    from serve_trial_sites
    where trial_filter($f)
      and iso3 = $iso3
    order by site_order
    limit 5000  -- the table's display cap: a country can hold most of the data (USA)
),

final as (
    -- one row per trial and listed country (trial_countries' primary key)
    select
        t.trial_id,
        t.registry,
        t.brief_title,
        t.phase,
        t.status,
        t.population,
        t.start_date,
        t.city,
        t.basis,
        t.url
    from shown as s
    inner join serve_trial_sites as t on t.site_order = s.site_order
    order by s.site_order
)

select * from final

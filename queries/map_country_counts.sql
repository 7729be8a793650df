-- purpose: How many trials, projects and funding records of one country match the filters (the map's country tabs, before the display cap).
-- params:
--   $f     STRUCT   filter state (msprogress.filters.Filters.as_struct)
--   $iso3  VARCHAR  the country selected on the map (ISO-3)
-- columns:
--   trials    BIGINT  matching trials with a listed site in the country (the rows of map_country_trials)
--   projects  BIGINT  matching research projects led from the country (the rows of map_country_projects)
--   grants    BIGINT  matching funding records of the country: awards, programme totals, calls (the rows of map_country_grants)
with trials_in_country as (
    -- one row per trial and listed country (trial_countries' primary key)
    select count(*) as n
    from serve_trial_sites
    where trial_filter($f)
      and iso3 = $iso3
),

projects_in_country as (
    select count(*) as n
    from serve_projects
    where funding_filter($f)
      and iso3 = $iso3
),

grants_in_country as (
    select count(*) as n
    from serve_grants
    where funding_filter($f)
      and iso3 = $iso3
),

final as (
    select
        t.n as trials,
        p.n as projects,
        g.n as grants
    from trials_in_country as t, projects_in_country as p, grants_in_country as g
)

select * from final

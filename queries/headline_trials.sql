-- purpose: Headline trial counts for the current filters (all MS, progressive, recruiting).
-- params:
--   $f  STRUCT  filter state (msprogress.filters.Filters.as_struct)
-- columns:
--   trials                   BIGINT   MS trials matching the filters
--   progressive_trials       BIGINT   of which in a progressive MS population
--   recruiting_trials        BIGINT   of which recruiting (incl. not yet recruiting, by invitation)
--   recruiting_progressive   BIGINT   progressive trials recruiting
--   ctgov_trials             BIGINT   trials from ClinicalTrials.gov
--   ctis_trials              BIGINT   trials from CTIS
--   countries                BIGINT   countries listed for the matching trials
--   as_of_min                DATE     oldest as-of date of the trial sources
--   as_of_max                DATE     newest as-of date of the trial sources
with matching as (
    select
        is_progressive,
        status_group,
        registry
    from serve_trials
    where trial_filter($f)
),

trial_country_count as (
    -- one row per trial and listed country: the matching trials' countries, all of them
    select count(distinct iso3) as countries
    from serve_trial_sites
    where trial_filter($f)
),

as_of as (
    -- every trial source, MS or not
    select
        min(as_of_min) as as_of_min,
        max(as_of_max) as as_of_max
    from serve_sources
    where kind = 'trials'
),

counts as (
    select
        count(*) as trials,
        count(*) filter (where is_progressive) as progressive_trials,
        count(*) filter (where status_group = 'Recruiting') as recruiting_trials,
        count(*) filter (where is_progressive and status_group = 'Recruiting') as recruiting_progressive,
        count(*) filter (where registry = 'ClinicalTrials.gov') as ctgov_trials,
        count(*) filter (where registry = 'CTIS') as ctis_trials
    from matching
),

final as (
    select
        n.trials,
        n.progressive_trials,
        n.recruiting_trials,
        n.recruiting_progressive,
        n.ctgov_trials,
        n.ctis_trials,
        c.countries,
        a.as_of_min,
        a.as_of_max
    from counts as n, trial_country_count as c, as_of as a
)

select * from final

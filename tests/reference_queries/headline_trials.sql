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
    select *
    from filtered_trials($f)
),

trial_country_count as (
    select count(distinct tc.iso3) as countries
    from trial_countries as tc
    where tc.trial_id in (select trial_id from matching)
),

final as (
    select
        count(*) as trials,
        count(*) filter (where is_progressive) as progressive_trials,
        count(*) filter (where status_group = 'Recruiting') as recruiting_trials,
        count(*) filter (where is_progressive and status_group = 'Recruiting') as recruiting_progressive,
        count(*) filter (where registry = 'ClinicalTrials.gov') as ctgov_trials,
        count(*) filter (where registry = 'CTIS') as ctis_trials,
        (select countries from trial_country_count) as countries,
        (select min(as_of) from trials) as as_of_min,
        (select max(as_of) from trials) as as_of_max
    from matching
)

select * from final

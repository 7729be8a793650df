-- purpose: Trial records for the Explore table and its downloads: current filters, page search, capped.
-- params:
--   $f         STRUCT   filter state
--   $search    VARCHAR  page search (trial id, titles, sponsor, conditions; case-insensitive); null or '' = all
--   $max_rows  BIGINT   most rows to return (the table's display cap)
-- columns:
--   trial_id         VARCHAR  registry identifier (NCT number or EU CT number)
--   url              VARCHAR  the trial's public registry page
--   brief_title      VARCHAR  short title as registered
--   phase            VARCHAR  normalised phase; empty for observational studies
--   status           VARCHAR  overall recruitment status as the registry states it
--   population       VARCHAR  MS population the trial studies (PPMS, SPMS, Relapsing …)
--   gap_area         VARCHAR  Alliance gap area of the trial
--   intervention_kinds  VARCHAR  modalities of the trial's interventions, '|'-joined
--   start_date       DATE     study start
--   completion_date  DATE     study completion (actual or anticipated)
--   enrollment       BIGINT   participants, actual or anticipated
--   sponsor          VARCHAR  lead sponsor
--   countries        VARCHAR  country names the source lists, ', '-joined (ClinicalTrials.gov: first listed site only; CTIS: every EU/EEA country)
--   total_locations  BIGINT   number of trial sites the registry reports
--   study_type       VARCHAR  Interventional, Observational or Expanded access
--   registry         VARCHAR  ClinicalTrials.gov or CTIS
--   as_of            DATE     date the registry file was retrieved
with matching as not materialized (
    select *
    from filtered_trials($f)
    where coalesce($search, '') = ''
       or contains(
           lower(concat_ws(' ', trial_id, brief_title, official_title, sponsor, conditions)),
           lower($search)
       )
),

shown as materialized (
    -- NOTE: the cap is applied before the country names are joined: at 100x the real data, naming
    -- the countries of every matching trial (not just the rows shown) cost over a second.
    select
        trial_id,
        url,
        brief_title,
        phase,
        status,
        population,
        gap_area,
        intervention_kinds,
        start_date,
        completion_date,
        enrollment,
        sponsor,
        total_locations,
        study_type,
        registry,
        as_of
    from matching
    order by start_date desc nulls last, trial_id
    limit $max_rows
),

trial_country_names as (
    select
        tc.trial_id,
        string_agg(distinct coalesce(c.name, tc.iso3), ', ' order by coalesce(c.name, tc.iso3)) as countries
    from trial_countries as tc
    left join countries as c on c.iso3 = tc.iso3
    where tc.trial_id in (select trial_id from shown)
    group by tc.trial_id
),

final as (
    select
        s.trial_id,
        s.url,
        s.brief_title,
        s.phase,
        s.status,
        s.population,
        s.gap_area,
        s.intervention_kinds,
        s.start_date,
        s.completion_date,
        s.enrollment,
        s.sponsor,
        n.countries,
        s.total_locations,
        s.study_type,
        s.registry,
        s.as_of
    from shown as s
    left join trial_country_names as n on n.trial_id = s.trial_id
    order by s.start_date desc nulls last, s.trial_id
)

select * from final

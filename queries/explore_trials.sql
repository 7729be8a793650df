-- purpose: Trial records for the Explore table and its downloads: current filters, page search, in the chosen order, capped.
-- params:
--   $f         STRUCT   filter state
--   $search    VARCHAR  page search (trial id, titles, sponsor, conditions; case-insensitive); null or '' = all
--   $sort      VARCHAR  row order: 'start' (started trials first, newest start first; then planned starts, soonest first; then trials withdrawn before they started; then no date), 'oldest' (oldest start first), 'enrollment' (most participants first) or 'title' (A–Z); ties and unknown values by trial id
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
--   start_date       DATE     study start, as registered (a planned date until the trial starts)
--   start_kind       VARCHAR  'started'; 'planned' when the start date lies after the registry's as-of date or recruitment has not begun; 'withdrawn before start' for a withdrawn trial; empty when no start date
--   completion_date  DATE     study completion (actual or anticipated)
--   enrollment       BIGINT   participants, actual or anticipated
--   sponsor          VARCHAR  lead sponsor
--   countries        VARCHAR  country names the source lists, ', '-joined (ClinicalTrials.gov: first listed site only; CTIS: every EU/EEA country)
--   total_locations  BIGINT   number of trial sites the registry reports
--   study_type       VARCHAR  Interventional, Observational or Expanded access
--   registry         VARCHAR  ClinicalTrials.gov or CTIS
--   as_of            DATE     date the registry file was retrieved

-- NOTE: each order is a rank stored with the trial (serve_trials.trial_key for the default one,
-- order_* for the others, defined in queries/_serving.sql); the page's rows are found on the ranks
-- alone, then read by their integer key: at 100x the real data, carrying every column of every
-- matching trial through a sort cost most of the query.
with keyed as (
    select
        trial_key,
        case $sort
            when 'start' then trial_key
            when 'oldest' then order_oldest
            when 'enrollment' then order_enrollment
            when 'title' then order_title
            else order_id
        end as sort_rank
    from serve_trials
    where trial_filter($f)
      and search_matches($search, search_text)
),

shown as (
    select *
    from keyed
    order by sort_rank
    limit $max_rows
),

final as (
    select
        t.trial_id,
        t.url,
        t.brief_title,
        t.phase,
        t.status,
        t.population,
        t.gap_area,
        t.intervention_kinds,
        t.start_date,
        t.start_kind,
        t.completion_date,
        t.enrollment,
        t.sponsor,
        t.country_names as countries,
        t.total_locations,
        t.study_type,
        t.registry,
        t.as_of
    from shown as s
    inner join serve_trials as t on t.trial_key = s.trial_key
    order by s.sort_rank
)

select * from final

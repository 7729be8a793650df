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
with matching as not materialized (
    select *
    from filtered_trials($f)
    where coalesce($search, '') = ''
       or contains(
           lower(concat_ws(' ', trial_id, brief_title, official_title, sponsor, conditions)),
           lower($search)
       )
),

-- NOTE: the registry files do not say whether a start date is actual or anticipated, so a start
-- counts as planned when it lies after the date the file was retrieved or the status says
-- recruitment has not begun; a withdrawn trial stopped before its first participant (registry
-- definition), so its start never happened.
kinds as (
    select
        *,
        case
            when start_date is null then null
            when status = 'Withdrawn' then 'withdrawn before start'
            when start_date > as_of
                or status in ('Not yet recruiting', 'Authorised, recruitment pending') then 'planned'
            else 'started'
        end as start_kind
    from matching
),

-- The chosen order as three ascending keys, nulls last (sort_1 a number, sort_2 a text, sort_3 a
-- number), written once and applied both before the cap and to the rows shown.
keyed as (
    select
        *,
        case $sort
            when 'start' then
                case start_kind when 'started' then 0 when 'planned' then 1 when 'withdrawn before start' then 2 else 3 end
            when 'oldest' then epoch(start_date)
            when 'enrollment' then -enrollment
        end as sort_1,
        case when $sort = 'title' then lower(brief_title) end as sort_2,
        case when $sort = 'start' then
            case when start_kind = 'started' then -epoch(start_date) else epoch(start_date) end
        end as sort_3
    from kinds
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
        start_kind,
        completion_date,
        enrollment,
        sponsor,
        total_locations,
        study_type,
        registry,
        as_of,
        sort_1,
        sort_2,
        sort_3
    from keyed
    order by sort_1 nulls last, sort_2 nulls last, sort_3 nulls last, trial_id
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
        s.start_kind,
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
    order by s.sort_1 nulls last, s.sort_2 nulls last, s.sort_3 nulls last, s.trial_id
)

select * from final

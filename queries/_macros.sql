-- Shared filter macros, loaded once per connection by msprogress/db.py.
-- Every query filters through these, so one filter means the same thing on every page.
-- $f is the struct from msprogress.filters.Filters.as_struct(): lists are empty for "all".
-- `snap` (default '') names which snapshot's tables a macro reads: '' the current one, 'prev_' the
-- earlier one of a pair (views prev_trials, prev_grants … see msprogress/db.py). Tables are read
-- through query_table(snap || '<table>'), so the "what changed" queries apply the same filters and
-- compute the same pipeline stage in both snapshots. `snap` is only ever a literal in queries/.

create macro matching_countries(f) as table
    select iso3
    from countries
    where (len(f['countries']) = 0 or list_contains(f['countries'], iso3))
      and (len(f['regions']) = 0 or list_contains(f['regions'], region));

-- NOTE: why two macros for "the countries in the filter". DuckDB folds the bound $f into the plan,
-- so `not has_place_filter(f) or x in (subquery)` drops the OR when no country or region is chosen;
-- but the subquery has already been planned as a join, and a join over matching_countries (every
-- country) still runs over all of trial_countries. chosen_countries is empty when nothing is
-- chosen, so that join is folded to nothing and an empty place filter costs nothing
-- (70–270 ms a query at 100x the real data, 2 cores). Use matching_countries for "every country".
create macro has_place_filter(f) as
    len(f['countries']) > 0 or len(f['regions']) > 0;

create macro chosen_countries(f) as table
    select iso3
    from matching_countries(f)
    where has_place_filter(f);

create macro text_matches(f, txt) as
    f['q'] is null or contains(lower(coalesce(txt, '')), lower(f['q']));

create macro year_in_range(f, y) as
    (f['year_from'] is null or y >= f['year_from'])
    and (f['year_to'] is null or y <= f['year_to']);

create macro filtered_trials(f, snap := '') as table
    select t.*
    from query_table(snap || 'trials') as t
    where t.population <> 'Not MS'
      and (not f['progressive_only'] or t.is_progressive)
      and (len(f['gap_areas']) = 0 or list_contains(f['gap_areas'], t.gap_area))
      and (len(f['populations']) = 0 or list_contains(f['populations'], t.population))
      and (len(f['phases']) = 0 or list_contains(f['phases'], t.phase))
      and (len(f['status_groups']) = 0 or list_contains(f['status_groups'], t.status_group))
      and year_in_range(f, year(t.start_date))
      and text_matches(f, t.brief_title || ' ' || coalesce(t.official_title, ''))
      and (
          not has_place_filter(f)
          or t.trial_id in (
              select tc.trial_id
              from query_table(snap || 'trial_countries') as tc
              where tc.iso3 in (select iso3 from chosen_countries(f))
          )
      );

create macro filtered_projects(f) as table
    select p.*
    from projects as p
    where p.ms_relevance <> 'Not MS'
      and (not f['progressive_only'] or p.ms_relevance = 'Progressive-specific')
      and (len(f['gap_areas']) = 0 or list_contains(f['gap_areas'], p.gap_area))
      and (len(f['funders']) = 0 or list_contains(f['funders'], p.funder))
      and year_in_range(f, year(p.start_date))
      and text_matches(f, p.title)
      and (
          not has_place_filter(f)
          or p.iso3 in (select iso3 from chosen_countries(f))
      );

create macro filtered_grants(f, snap := '') as table
    select g.*
    from query_table(snap || 'grants') as g
    where g.ms_relevance <> 'Not MS'
      and (not f['progressive_only'] or g.ms_relevance = 'Progressive-specific')
      and (len(f['gap_areas']) = 0 or list_contains(f['gap_areas'], g.gap_area))
      and (len(f['funders']) = 0 or list_contains(f['funders'], g.funder))
      and year_in_range(f, g.year)
      and text_matches(f, g.title)
      and (
          not has_place_filter(f)
          or g.iso3 in (select iso3 from chosen_countries(f))
      );

create macro in_currency(currency, eur, usd, gbp) as
    case currency when 'EUR' then eur when 'USD' then usd when 'GBP' then gbp end;

-- The progressive-MS interventional trials of each therapy-pipeline marker (an agent, or a non-drug
-- modality at a stage), one row per marker and trial (unordered): what pipeline_trials lists and
-- pipeline_markers aggregates. Arguments as documented in queries/pipeline_trials.sql.
-- Placebo and co-medication (prophylaxis, premedication, conditioning, tracers given with the
-- tested therapy: trial_interventions.co_medication) are never markers.
-- NOTE: the population is the sidebar's Population filter (f['populations'], through
-- filtered_trials): the page has no population control of its own, so the two can never disagree.
create macro pipeline_trial_rows(f, include_supportive, include_nondrug, snap := '') as table
    with scope as (
        select
            trial_id,
            registry,
            url,
            brief_title,
            phase,
            case
                when phase = 'Early phase 1' then 'Phase 1'
                when phase is null or phase = 'Not applicable' then 'Not applicable'
                else phase
            end as stage,
            case when phase_rank = 0.5 then 1.0 else phase_rank end as stage_rank,
            status_group,
            population,
            sponsor,
            sponsor_class,
            start_date,
            completion_date,
            enrollment
        from filtered_trials(f, snap := snap)
        where is_progressive
          and study_type = 'Interventional'
    ),

    -- NOTE: the interventions of the trials in scope only (a few per cent of the table), before the
    -- distinct agent and modality rows are formed: forming them for every trial first cost ~0.3 s at
    -- 100x the real data, for rows the join with scope then dropped.
    interventions as (
        select
            i.trial_id,
            i.agent_id,
            i.modality
        from query_table(snap || 'trial_interventions') as i
        where not i.is_placebo
          and i.co_medication is null
          and i.trial_id in (select trial_id from scope)
    ),

    agent_rows as (
        select distinct
            'agent:' || a.agent_id as marker_id,
            'agent' as item_kind,
            a.agent_id as item_id,
            a.agent_name as label,
            a.mechanism_class,
            a.modality,
            a.therapy_role,
            i.trial_id
        from interventions as i
        inner join query_table(snap || 'agents') as a on a.agent_id = i.agent_id
        where include_supportive
           or (
               a.therapy_role in ('disease-modifying', 'symptomatic')
               and a.mechanism_class <> 'Background therapy / standard of care'
           )
    ),

    nondrug_rows as (
        select distinct
            'nondrug' as item_kind,
            i.modality as item_id,
            i.modality as label,
            cast(null as varchar) as mechanism_class,
            i.modality,
            cast(null as varchar) as therapy_role,
            i.trial_id
        from interventions as i
        where include_nondrug
          and i.agent_id is null
          and i.modality in ('rehabilitation', 'exercise', 'behavioural', 'device', 'diet/supplement', 'procedure')
    ),

    items as (
        select * from agent_rows
        union all by name
        select
            'nondrug:' || n.item_id || ':' || s.stage as marker_id,
            'non-drug' as item_kind,
            n.* exclude (item_kind)
        from nondrug_rows as n
        inner join scope as s on s.trial_id = n.trial_id
    ),

    final as (
        select
            i.marker_id,
            i.item_kind,
            i.item_id,
            i.label,
            i.mechanism_class,
            i.modality,
            i.therapy_role,
            s.trial_id,
            s.registry,
            s.url,
            s.brief_title,
            s.phase,
            s.stage,
            s.stage_rank,
            s.status_group,
            s.population,
            s.sponsor,
            s.sponsor_class,
            s.start_date,
            s.completion_date,
            s.enrollment
        from items as i
        inner join scope as s on s.trial_id = i.trial_id
    )

    select * from final;

-- The therapy-pipeline markers: one per agent at its stage, one per non-drug modality and stage. An
-- agent's stage is the highest phase of its progressive-MS trials, or 'Approved for progressive MS'
-- when a label approves it for a population shown (approved_agents): the one definition of "stage",
-- read by pipeline_markers (the grid) and diff_agents (agents that moved between two snapshots).
-- Arguments and columns as documented in queries/pipeline_markers.sql.
create macro pipeline_marker_rows(f, include_supportive, include_nondrug, snap := '') as table
    with marker_trials as (
        select
            r.*,
            case r.status_group
                when 'Recruiting' then 1
                when 'Active, not recruiting' then 2
                when 'Completed' then 3
                when 'Unknown' then 4
                when 'Stopped early' then 5
                else 6
            end as status_order,
            max(coalesce(r.stage_rank, 0)) over (partition by r.marker_id) as top_rank
        from pipeline_trial_rows(f, include_supportive, include_nondrug, snap := snap) as r
    ),

    markers as (
        select
            m.marker_id,
            any_value(m.item_kind) as item_kind,
            any_value(m.item_id) as item_id,
            any_value(m.label) as label,
            any_value(m.mechanism_class) as mechanism_class,
            any_value(m.modality) as modality,
            any_value(m.therapy_role) as therapy_role,
            any_value(a.reference_url) as reference_url,
            any_value(a.origin) as origin,
            any_value(a.origin_source) as origin_source,
            any_value(a.origin_note) as origin_note,
            coalesce(
                max(m.stage) filter (where coalesce(m.stage_rank, 0) = m.top_rank),
                'Not applicable'
            ) as stage,
            max(m.stage_rank) as stage_rank,
            arg_min(m.status_group, m.status_order) filter (
                where coalesce(m.stage_rank, 0) = m.top_rank
            ) as stage_status,
            -- pipeline_trial_rows has one row per marker and trial, so count(*) counts distinct trials
            count(*) as trials,
            count(*) filter (where coalesce(m.stage_rank, 0) = m.top_rank) as trials_at_stage,
            count(*) filter (where m.status_group in ('Recruiting', 'Active, not recruiting')) as ongoing_trials,
            count(*) filter (
                where m.phase = 'Early phase 1' and coalesce(m.stage_rank, 0) = m.top_rank
            ) as early_phase1_trials,
            cast(sum(m.enrollment) as bigint) as enrollment_total,
            max(m.enrollment) as enrollment_max,
            count(*) filter (where m.enrollment is null) as trials_no_enrollment,
            count(*) filter (where m.sponsor_class = 'Industry') as industry_trials,
            count(*) filter (where m.sponsor_class not in ('Industry', 'Unknown')) as other_trials
        from marker_trials as m
        left join query_table(snap || 'agents') as a on m.item_kind = 'agent' and a.agent_id = m.item_id
        group by m.marker_id
    ),

    -- NOTE: 'Approved for progressive MS' is schema.APPROVED_STAGE; an approval outranks any trial phase.
    final as (
        select
            k.marker_id,
            k.item_kind,
            k.item_id,
            k.label,
            k.mechanism_class,
            k.modality,
            k.therapy_role,
            k.reference_url,
            case when ap.agent_id is null then k.stage else 'Approved for progressive MS' end as stage,
            case when ap.agent_id is null then k.stage_rank else 5.0 end as stage_rank,
            k.stage_status,
            k.trials,
            k.trials_at_stage,
            k.ongoing_trials,
            k.early_phase1_trials,
            k.enrollment_total,
            k.enrollment_max,
            k.trials_no_enrollment,
            k.industry_trials,
            k.other_trials,
            case
                when k.industry_trials > 0 and k.other_trials > 0 then 'both'
                when k.industry_trials > 0 then 'industry'
                when k.other_trials > 0 then 'academic/other'
                else 'not stated'
            end as sponsors,
            k.origin,
            k.origin_source,
            k.origin_note,
            ap.approval,
            ap.approval_url
        from markers as k
        left join approved_agents(f, snap := snap) as ap on k.item_kind = 'agent' and ap.agent_id = k.item_id
    )

    select * from final;

-- The agents a regulator's label approves for a progressive population the filters show (all
-- progressive populations when none is chosen): one row per agent, with the approvals in words
-- ('PPMS: FDA 2017; PPMS: EMA 2018') and the label of the earliest. Such an agent's pipeline stage
-- is 'Approved for progressive MS' (schema.APPROVED_STAGE), whatever the phase of its trials.
create macro approved_agents(f, snap := '') as table
    select
        agent_id,
        string_agg(population || ': ' || regulator || ' ' || year, '; ' order by year, regulator) as approval,
        arg_min(label_url, year) as approval_url
    from query_table(snap || 'agent_approvals')
    where len(f['populations']) = 0
       or list_contains(f['populations'], population)
    group by agent_id;

-- The first day of the window of `months` months that ends on (and includes) `as_of`.
create macro window_start(as_of, months) as
    cast(as_of - to_months(months) + interval 1 day as date);

-- Each source's window of `months` months, ending on the source's as-of date. A source whose as-of
-- date falls before the window of the newest source of its kind (trials, funding) has data that end
-- before that window (NIH exports of past fiscal years): covers_window is false, and nothing of it
-- is counted as recent.
create macro source_windows(months) as table
    with sources as (
        select
            source,
            'trials' as kind,
            max(as_of) as as_of
        from trials
        group by source
        union all
        select
            source,
            'funding' as kind,
            max(as_of) as as_of
        from grants
        group by source
    ),

    final as (
        select
            source,
            kind,
            as_of,
            window_start(as_of, months) as window_start,
            as_of >= window_start(max(as_of) over (partition by kind), months) as covers_window
        from sources
    )

    select * from final;

-- Registry activity of the progressive-MS trials in each source's window (source_windows), one row
-- per trial and event (registered, started, completed, stopped, results posted) with the registry
-- date that places it: what changes_window_trials lists and changes_window_counts counts.
-- Columns: the trial's own, plus event, event_date, date_basis, window_start and window_end.
-- NOTE: a trial that has not started (not yet recruiting, authorised with recruitment pending,
-- withdrawn) has an anticipated start date only; it is not counted as started.
-- NOTE: the registries do not date a status change. A terminated trial is dated by its completion
-- date (ClinicalTrials.gov records the termination date there); a withdrawn, suspended or halted
-- one by the last update posted, on or before which the change was posted.
create macro trial_registry_events(f, months) as table
    with scope as (
        select
            t.*,
            w.window_start,
            w.as_of as window_end
        from filtered_trials(f) as t
        inner join source_windows(months) as w on w.source = t.source and w.covers_window
        where t.is_progressive
    ),

    stops as (
        select
            *,
            status = 'Terminated' and completion_date <= as_of as dated_by_completion
        from scope
        where status_group in ('Stopped early', 'Withdrawn')
    ),

    events as (
        select
            'registered' as event,
            first_posted as event_date,
            case registry when 'CTIS' then 'authorisation decision' else 'first posted' end as date_basis,
            *
        from scope
        union all by name
        select
            'started' as event,
            start_date as event_date,
            'start date' as date_basis,
            *
        from scope
        where status not in ('Not yet recruiting', 'Authorised, recruitment pending', 'Withdrawn')
        union all by name
        select
            'completed' as event,
            completion_date as event_date,
            'completion date' as date_basis,
            *
        from scope
        where status_group = 'Completed'
        union all by name
        select
            'stopped' as event,
            case when dated_by_completion then completion_date else last_update_posted end as event_date,
            case when dated_by_completion then 'completion date' else 'last update posted' end as date_basis,
            * exclude (dated_by_completion)
        from stops
        union all by name
        select
            'results posted' as event,
            results_first_posted as event_date,
            'results first posted' as date_basis,
            *
        from scope
    )

    select *
    from events
    where event_date between window_start and window_end;

-- The awards (record_type 'award') in each funding source's window (source_windows): placed by their
-- award date, else their start date ('dated'); an award the source dates only by a year is kept when
-- that year overlaps the window ('year only': it may fall in it). What changes_window_awards lists
-- and changes_window_counts counts. Columns: the grant's own, plus placed, placed_on, date_basis,
-- window_start and window_end.
create macro award_window_rows(f, months) as table
    with awards as (
        select
            g.*,
            coalesce(g.award_date, g.start_date) as placed_on,
            case
                when g.award_date is not null then 'award date'
                when g.start_date is not null then 'start date'
                else 'year only'
            end as date_basis,
            w.window_start,
            w.as_of as window_end
        from filtered_grants(f) as g
        inner join source_windows(months) as w on w.source = g.source and w.covers_window
        where g.record_type = 'award'
    )

    select
        *,
        case when placed_on is null then 'year only' else 'dated' end as placed
    from awards
    where placed_on between window_start and window_end
       or (placed_on is null and year between year(window_start) and year(window_end));

-- Shared filter macros, loaded once per connection by msprogress/db.py (after the serving tables'
-- views, see queries/_serving.sql). Every query filters through these, so one filter means the same
-- thing on every page. $f is the struct from msprogress.filters.Filters.as_struct(): lists are empty
-- for "all".
--
-- The filters test columns of the serving row itself (no join, no subquery): trial_filter reads the
-- trial-shaped serving tables (serve_trials, serve_trial_sites, serve_pipeline, serve_trial_events),
-- funding_filter the funding-shaped ones (serve_projects, serve_grants).
-- NOTE: trial_filter and funding_filter name the columns of the row they test without a table
-- (DuckDB binds a macro's free names in the query that calls it): every table they serve has those
-- columns under those names. Call them where that table is the only one in scope.
-- `snap` (default '') names which snapshot's tables a table macro reads: '' the current one, 'prev_'
-- the earlier one of a pair (views prev_serve_pipeline … see msprogress/db.py), so the "what changed"
-- queries compute the same pipeline stage in both snapshots. `snap` is only ever a literal in queries/.

create macro has_place_filter(f) as
    len(f['countries']) > 0 or len(f['regions']) > 0;

-- A row with several countries (a trial) is in the chosen places when one of its countries is chosen:
-- in the countries asked for (if any) and in the regions asked for (if any). `place_keys` holds
-- '<ISO-3>|<region>' per country, so a country and a region asked for together must meet in one
-- country (a trial in Italy and the USA is not in "Italy, Northern America").
create macro in_places(f, iso3s, regions, place_keys) as
    (len(f['countries']) = 0 or list_has_any(iso3s, f['countries']))
    and (len(f['regions']) = 0 or list_has_any(regions, f['regions']))
    and (
        len(f['countries']) = 0
        or len(f['regions']) = 0
        or list_has_any(
            place_keys,
            flatten(list_transform(f['countries'], lambda c: list_transform(f['regions'], lambda r: c || '|' || r)))
        )
    );

-- A row with one country (a project, a grant, a trial site) is in the chosen places when its country
-- is: empty `iso3` (unknown to the countries table) is in no chosen place.
create macro in_place(f, iso3, region) as
    not has_place_filter(f)
    or coalesce(
        (len(f['countries']) = 0 or list_contains(f['countries'], iso3))
        and (len(f['regions']) = 0 or list_contains(f['regions'], region)),
        false
    );

create macro year_in_range(f, y) as
    (f['year_from'] is null or y >= f['year_from'])
    and (f['year_to'] is null or y <= f['year_to']);

create macro title_matches(f, title_text) as
    f['q'] is null or contains(title_text, lower(f['q']));

-- Does a trial-shaped serving row match the filters? (MS trials only: the serving tables hold no other.)
create macro trial_filter(f) as
    (not f['progressive_only'] or is_progressive)
    and (len(f['gap_areas']) = 0 or list_contains(f['gap_areas'], gap_area))
    and (len(f['populations']) = 0 or list_contains(f['populations'], population))
    and (len(f['phases']) = 0 or list_contains(f['phases'], phase))
    and (len(f['status_groups']) = 0 or list_contains(f['status_groups'], status_group))
    and year_in_range(f, start_year)
    and title_matches(f, title_text)
    and in_places(f, iso3s, regions, place_keys);

-- Does a funding-shaped serving row (a project, a grant) match the filters? (MS research only.)
create macro funding_filter(f) as
    (not f['progressive_only'] or is_progressive)
    and (len(f['gap_areas']) = 0 or list_contains(f['gap_areas'], gap_area))
    and (len(f['funders']) = 0 or list_contains(f['funders'], funder))
    and year_in_range(f, filter_year)
    and title_matches(f, title_text)
    and in_place(f, place_iso3, place_region);

-- Explore's own search box: id, titles and names (the row's search_text); null or '' = all.
create macro search_matches(search, search_text) as
    coalesce(search, '') = '' or contains(search_text, lower(search));

create macro in_currency(currency, eur, usd, gbp) as
    case currency when 'EUR' then eur when 'USD' then usd when 'GBP' then gbp end;

-- The progressive-MS interventional trials of each therapy-pipeline marker (an agent, or a non-drug
-- modality at a stage), one row per marker and trial (unordered): what pipeline_trials lists and
-- pipeline_marker_rows aggregates. Arguments as documented in queries/pipeline_trials.sql.
-- Placebo and co-medication are never markers (serve_pipeline holds none).
-- NOTE: the population is the sidebar's Population filter (f['populations'], through trial_filter):
-- the page has no population control of its own, so the two can never disagree.
create macro pipeline_trial_rows(f, include_supportive, include_nondrug, snap := '') as table
    select
        marker_key,
        marker_id,
        item_kind,
        item_id,
        label,
        mechanism_class,
        modality,
        therapy_role,
        reference_url,
        origin,
        origin_source,
        origin_note,
        trial_id,
        registry,
        url,
        brief_title,
        phase,
        stage,
        stage_rank,
        status_group,
        population,
        sponsor,
        sponsor_class,
        start_date,
        completion_date,
        enrollment
    from query_table(snap || 'serve_pipeline')
    where trial_filter(f)
      and case item_kind when 'agent' then include_supportive or is_core else include_nondrug end;

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
            max(coalesce(r.stage_rank, 0)) over (partition by r.marker_key) as top_rank
        from pipeline_trial_rows(f, include_supportive, include_nondrug, snap := snap) as r
    ),

    markers as (
        select
            any_value(m.marker_id) as marker_id,
            any_value(m.item_kind) as item_kind,
            any_value(m.item_id) as item_id,
            any_value(m.label) as label,
            any_value(m.mechanism_class) as mechanism_class,
            any_value(m.modality) as modality,
            any_value(m.therapy_role) as therapy_role,
            any_value(m.reference_url) as reference_url,
            any_value(m.origin) as origin,
            any_value(m.origin_source) as origin_source,
            any_value(m.origin_note) as origin_note,
            coalesce(
                max(m.stage) filter (where coalesce(m.stage_rank, 0) = m.top_rank),
                'Not applicable'
            ) as stage,
            max(m.stage_rank) as stage_rank,
            arg_min(m.status_group, m.status_order) filter (
                where coalesce(m.stage_rank, 0) = m.top_rank
            ) as stage_status,
            -- serve_pipeline has one row per marker and trial, so count(*) counts distinct trials
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
        group by m.marker_key
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

-- Does a source's window of `months` months, ending on its newest as-of date, cover the window of the
-- newest source of its kind (trials, funding)? A source whose data end before it (NIH exports of past
-- fiscal years) counts nothing as recent.
create macro covers_window(source_as_of, kind_as_of, months) as
    source_as_of >= window_start(kind_as_of, months);

-- Registry activity of the progressive-MS trials in each source's window, one row per trial and
-- event (registered, started, completed, stopped, results posted) with the registry date that places
-- it (serve_trial_events): what changes_window_trials lists and changes_window_counts counts.
-- Columns: those of serve_trial_events, plus window_start and window_end.
create macro trial_registry_events(f, months) as table
    select
        *,
        window_start(source_as_of, months) as window_start,
        source_as_of as window_end
    from serve_trial_events
    where trial_filter(f)
      and covers_window(source_as_of, kind_as_of, months)
      and event_date between window_start(source_as_of, months) and source_as_of;

-- The awards (record_type 'award') in each funding source's window: placed by their award date, else
-- their start date ('dated'); an award the source dates only by a year is kept when that year
-- overlaps the window ('year only': it may fall in it). What changes_window_awards lists and
-- changes_window_counts counts. Columns: the grant's own, plus placed, placed_on, date_basis,
-- window_start and window_end.
create macro award_window_rows(f, months) as table
    with awards as (
        select
            *,
            coalesce(award_date, start_date) as placed_on,
            case
                when award_date is not null then 'award date'
                when start_date is not null then 'start date'
                else 'year only'
            end as date_basis,
            window_start(source_as_of, months) as window_start,
            source_as_of as window_end
        from serve_grants
        where funding_filter(f)
          and record_type = 'award'
          and covers_window(source_as_of, kind_as_of, months)
    )

    select
        *,
        case when placed_on is null then 'year only' else 'dated' end as placed
    from awards
    where placed_on between window_start and window_end
       or (placed_on is null and year between year(window_start) and year(window_end));

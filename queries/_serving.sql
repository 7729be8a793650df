-- The serving tables: what the pages read, shaped for their queries (msprogress/ingest/serving.py).
-- Each table `serve_<name>` is defined once, here, by a table macro `serve_<name>_of(snap := '')` over
-- the canonical tables. The build runs it and writes the result into the snapshot beside the
-- canonical tables (sorted, with integer keys); msprogress/db.py reads that file, or, for a snapshot
-- built before the table existed (or with other columns), runs the macro over that snapshot's
-- canonical tables (`snap := 'prev_'` for the earlier snapshot of a pair): same rows, only slower.
-- Columns are declared in msprogress/schema.py (SERVING_TABLES); a serving table may read one declared
-- before it, of the same snapshot (`query_table(snap || 'serve_trials')`).
--
-- Shape: one row per thing a page counts or lists, every column a filter tests on the row itself
-- (no join, no subquery at query time): the trial's known countries and their regions as lists, the
-- lower-cased text the searches read, the start year; aggregates where a page reads only aggregates.
-- The filter predicates over these rows are in queries/_macros.sql (trial_filter, funding_filter).
-- NOTE: a trial's or grant's place lists and place_iso3 hold only countries the countries table knows
-- (the place filter chooses among those), while iso3 and country_names keep every listed code.

-- The map's key of a lead organisation's place (organisation, country, coordinates, how placed): the
-- same in serve_projects and serve_grants (a grant carries its project's), so the map joins the two on
-- one integer. A 63-bit hash: two places of one snapshot sharing a key is vanishingly unlikely.
create macro org_place_key(organisation, iso3, latitude, longitude, location_precision) as
    cast(hash(organisation, iso3, latitude, longitude, location_precision) >> 1 as bigint);

-- One row per MS trial (population not 'Not MS'), with what trial_filter tests and Explore shows.
create macro serve_trials_of(snap := '') as table
    with known_places as (
        select
            tc.trial_id,
            list_sort(list_distinct(list(c.iso3))) as iso3s,
            list_sort(list_distinct(list(c.region))) as regions,
            list_sort(list_distinct(list(c.iso3 || '|' || c.region))) as place_keys
        from query_table(snap || 'trial_countries') as tc
        inner join query_table(snap || 'countries') as c on c.iso3 = tc.iso3
        group by tc.trial_id
    ),

    named as (
        select
            tc.trial_id,
            string_agg(distinct coalesce(c.name, tc.iso3), ', ' order by coalesce(c.name, tc.iso3)) as country_names
        from query_table(snap || 'trial_countries') as tc
        left join query_table(snap || 'countries') as c on c.iso3 = tc.iso3
        group by tc.trial_id
    ),

    ms_trials as (
        select
            t.*,
            year(t.start_date) as start_year,
            lower(coalesce(t.brief_title || ' ' || coalesce(t.official_title, ''), '')) as title_text,
            lower(concat_ws(' ', t.trial_id, t.brief_title, t.official_title, t.sponsor, t.conditions)) as search_text,
            coalesce(k.iso3s, cast([] as varchar[])) as iso3s,
            coalesce(k.regions, cast([] as varchar[])) as regions,
            coalesce(k.place_keys, cast([] as varchar[])) as place_keys,
            n.country_names
        from query_table(snap || 'trials') as t
        left join known_places as k on k.trial_id = t.trial_id
        left join named as n on n.trial_id = t.trial_id
        where t.population <> 'Not MS'
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
        from ms_trials
    ),

    -- Explore's orders as ranks (ties broken by trial id), so a page of rows is the first n ranks. The
    -- key is the rank in the default order (started first, newest start first), and the table is
    -- stored in it: the first page of the default view is read from the first row groups.
    -- NOTE: ranked on the keys alone, then joined back: a window over the whole rows sorted them all.
    ranks as (
        select
            trial_id,
            row_number() over (
                order by
                    case start_kind when 'started' then 0 when 'planned' then 1 when 'withdrawn before start' then 2 else 3 end,
                    case when start_kind = 'started' then -epoch(start_date) else epoch(start_date) end nulls last,
                    trial_id
            ) as trial_key,
            row_number() over (order by epoch(start_date) nulls last, trial_id) as order_oldest,
            row_number() over (order by -enrollment nulls last, trial_id) as order_enrollment,
            row_number() over (order by lower(brief_title) nulls last, trial_id) as order_title,
            row_number() over (order by trial_id) as order_id
        from kinds
    ),

    final as (
        select
            r.trial_key,
            k.*,
            r.order_oldest,
            r.order_enrollment,
            r.order_title,
            r.order_id
        from kinds as k
        inner join ranks as r on r.trial_id = k.trial_id
    )

    select * from final
    order by trial_key;

-- One row per listed country of an MS trial (trial_countries' rows), carrying the trial's filter
-- columns: the map's per-country counts, its site points and a country's trial list are scans of it.
create macro serve_trial_sites_of(snap := '') as table
    with final as (
        select
            t.trial_key,
            t.trial_id,
            t.registry,
            t.url,
            t.brief_title,
            t.phase,
            t.status,
            t.status_group,
            t.population,
            t.is_progressive,
            t.gap_area,
            t.start_date,
            t.start_year,
            t.title_text,
            t.iso3s,
            t.regions,
            t.place_keys,
            tc.iso3,
            c.iso3 as site_iso3,
            c.region as site_region,
            c.name as country,
            tc.city,
            tc.latitude,
            tc.longitude,
            tc.location_precision,
            tc.basis,
            -- a country's trials, newest start first: the map's country list is the first n of them
            row_number() over (order by tc.iso3, t.start_date desc nulls last, t.trial_id) as site_order,
            -- one key per place the map draws a point at
            dense_rank() over (order by tc.iso3, tc.latitude, tc.longitude, tc.location_precision) as place_key
        from query_table(snap || 'serve_trials') as t
        inner join query_table(snap || 'trial_countries') as tc on tc.trial_id = t.trial_id
        left join query_table(snap || 'countries') as c on c.iso3 = tc.iso3
    )

    select * from final
    order by site_order;

-- One row per therapy-pipeline item and progressive-MS interventional trial: an agent tested in the
-- trial (placebo and co-medication never count), or a non-drug modality without an agent. What the
-- pipeline macros (queries/_macros.sql) filter and aggregate; `is_core` is the pipeline's default view
-- of agents (disease-modifying and symptomatic, background therapy left out).
create macro serve_pipeline_of(snap := '') as table
    with scope as (
        select
            trial_key,
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
            enrollment,
            is_progressive,
            gap_area,
            start_year,
            title_text,
            iso3s,
            regions,
            place_keys
        from query_table(snap || 'serve_trials')
        where is_progressive
          and study_type = 'Interventional'
    ),

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
            coalesce(
                a.therapy_role in ('disease-modifying', 'symptomatic')
                and a.mechanism_class <> 'Background therapy / standard of care',
                false
            ) as is_core,
            a.reference_url,
            a.origin,
            a.origin_source,
            a.origin_note,
            i.trial_id
        from interventions as i
        inner join query_table(snap || 'agents') as a on a.agent_id = i.agent_id
    ),

    nondrug_rows as (
        select distinct
            i.modality as item_id,
            i.trial_id
        from interventions as i
        where i.agent_id is null
          and i.modality in ('rehabilitation', 'exercise', 'behavioural', 'device', 'diet/supplement', 'procedure')
    ),

    items as (
        select
            r.marker_id,
            r.item_kind,
            r.item_id,
            r.label,
            r.mechanism_class,
            r.modality,
            r.therapy_role,
            r.is_core,
            r.reference_url,
            r.origin,
            r.origin_source,
            r.origin_note,
            s.*
        from agent_rows as r
        inner join scope as s on s.trial_id = r.trial_id
        union all by name
        select
            'nondrug:' || n.item_id || ':' || s.stage as marker_id,
            'non-drug' as item_kind,
            n.item_id,
            n.item_id as label,
            cast(null as varchar) as mechanism_class,
            n.item_id as modality,
            cast(null as varchar) as therapy_role,
            cast(null as boolean) as is_core,
            cast(null as varchar) as reference_url,
            cast(null as varchar) as origin,
            cast(null as varchar) as origin_source,
            cast(null as varchar) as origin_note,
            s.*
        from nondrug_rows as n
        inner join scope as s on s.trial_id = n.trial_id
    ),

    final as (
        select
            dense_rank() over (order by marker_id) as marker_key,
            *
        from items
    )

    select * from final
    order by item_kind, label, stage_rank desc nulls last, start_date, trial_id, marker_key;

-- One row per event of a progressive-MS trial that a registry dates (registered, started, completed,
-- stopped, results posted), with the date that places it and the as-of dates its window ends on:
-- `source_as_of`, the newest as-of date of the trial's source, and `kind_as_of`, of any trial source.
-- The What changed page keeps the events in the window it chooses (trial_registry_events).
-- NOTE: a trial that has not started (not yet recruiting, authorised with recruitment pending,
-- withdrawn) has an anticipated start date only; it is not counted as started.
-- NOTE: the registries do not date a status change. A terminated trial is dated by its completion
-- date (ClinicalTrials.gov records the termination date there); a withdrawn, suspended or halted
-- one by the last update posted, on or before which the change was posted.
create macro serve_trial_events_of(snap := '') as table
    with source_dates as (
        select
            source,
            max(as_of) as source_as_of,
            max(max(as_of)) over () as kind_as_of
        from query_table(snap || 'trials')
        group by source
    ),

    scope as (
        select
            t.*,
            d.source_as_of,
            d.kind_as_of
        from query_table(snap || 'serve_trials') as t
        inner join source_dates as d on d.source = t.source
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
    ),

    final as (
        select
            event,
            event_date,
            date_basis,
            source_as_of,
            kind_as_of,
            trial_key,
            trial_id,
            registry,
            url,
            brief_title,
            phase,
            status,
            status_group,
            population,
            is_progressive,
            gap_area,
            sponsor,
            enrollment,
            why_stopped,
            source,
            start_year,
            title_text,
            iso3s,
            regions,
            place_keys
        from events
        where event_date is not null
    )

    select * from final
    order by source, event_date, event, trial_id;

-- One row per MS research project (ms_relevance not 'Not MS'), with what funding_filter tests, its
-- country's name and region, and its award records and money over the whole snapshot (Explore).
create macro serve_projects_of(snap := '') as table
    with project_awards as (
        select
            project_id,
            count(*) as award_records,
            sum(amount_eur) as awarded_eur
        from query_table(snap || 'grants')
        where record_type = 'award'
          and project_id is not null
        group by project_id
    ),

    ms_projects as (
        select
            p.*,
            p.ms_relevance = 'Progressive-specific' as is_progressive,
            year(p.start_date) as filter_year,
            lower(coalesce(p.title, '')) as title_text,
            lower(concat_ws(' ', p.project_id, p.title, p.pi, p.organisation, p.funder)) as search_text,
            c.iso3 as place_iso3,
            c.region as place_region,
            c.name as country,
            org_place_key(p.organisation, p.iso3, p.latitude, p.longitude, p.location_precision) as org_place_key,
            coalesce(a.award_records, 0) as award_records,
            a.awarded_eur
        from query_table(snap || 'projects') as p
        left join query_table(snap || 'countries') as c on c.iso3 = p.iso3
        left join project_awards as a on a.project_id = p.project_id
        where p.ms_relevance <> 'Not MS'
    ),

    -- Explore's orders as ranks (ties broken by project id), and a country's projects newest first
    -- (the map's country list): a page of rows is the first n ranks. The key is the rank in the
    -- default order, the table stored in it (see serve_trials). Ranked on the keys alone.
    ranks as (
        select
            project_id,
            row_number() over (
                order by
                    case when start_date is null then 2 when start_date > as_of then 1 else 0 end,
                    case when start_date > as_of then epoch(start_date) else -epoch(start_date) end nulls last,
                    project_id
            ) as project_key,
            row_number() over (order by epoch(start_date) nulls last, project_id) as order_oldest,
            row_number() over (order by lower(title) nulls last, project_id) as order_title,
            row_number() over (order by lower(funder) nulls last, -epoch(start_date) nulls last, project_id) as order_funder,
            row_number() over (order by project_id) as order_id,
            row_number() over (order by iso3, start_date desc nulls last, project_id) as country_order
        from ms_projects
    ),

    final as (
        select
            r.project_key,
            p.*,
            case when p.start_date > p.as_of then 'planned' when p.start_date is not null then 'started' end as start_kind,
            r.order_oldest,
            r.order_title,
            r.order_funder,
            r.order_id,
            r.country_order
        from ms_projects as p
        inner join ranks as r on r.project_id = p.project_id
    )

    select * from final
    order by project_key;

-- One row per MS grant record (awards, programme totals, calls; ms_relevance not 'Not MS'), with what
-- funding_filter tests, its country's name and region, its project's lead organisation and place (the
-- map's organisation points), and the as-of dates its What-changed window ends on (see
-- serve_trial_events).
create macro serve_grants_of(snap := '') as table
    with source_dates as (
        select
            source,
            max(as_of) as source_as_of,
            max(max(as_of)) over () as kind_as_of
        from query_table(snap || 'grants')
        group by source
    ),

    ms_grants as (
        select
            g.*,
            g.ms_relevance = 'Progressive-specific' as is_progressive,
            g.year as filter_year,
            lower(coalesce(g.title, '')) as title_text,
            lower(concat_ws(' ', g.grant_id, g.title, g.funder, g.programme)) as search_text,
            c.iso3 as place_iso3,
            c.region as place_region,
            c.name as country,
            p.organisation as project_organisation,
            p.iso3 as project_iso3,
            pc.name as project_country,
            p.city as project_city,
            p.latitude as project_latitude,
            p.longitude as project_longitude,
            p.location_precision as project_location_precision,
            case
                when p.project_id is not null
                    then org_place_key(p.organisation, p.iso3, p.latitude, p.longitude, p.location_precision)
            end as project_org_place_key,
            d.source_as_of,
            d.kind_as_of
        from query_table(snap || 'grants') as g
        inner join source_dates as d on d.source = g.source
        left join query_table(snap || 'countries') as c on c.iso3 = g.iso3
        left join query_table(snap || 'projects') as p on p.project_id = g.project_id
        left join query_table(snap || 'countries') as pc on pc.iso3 = p.iso3
        where g.ms_relevance <> 'Not MS'
    ),

    -- Explore's orders as ranks (ties broken by grant id), and a country's grants newest first (the
    -- map's country list): a page of rows is the first n ranks. The key is the rank in the default
    -- order, the table stored in it (see serve_trials). Ranked on the keys alone.
    ranks as (
        select
            grant_id,
            row_number() over (order by -year nulls last, lower(funder) nulls last, grant_id) as grant_key,
            row_number() over (order by year nulls last, lower(funder) nulls last, grant_id) as order_oldest,
            row_number() over (order by -amount_eur nulls last, grant_id) as order_amount,
            row_number() over (order by lower(funder) nulls last, -year nulls last, grant_id) as order_funder,
            row_number() over (order by grant_id) as order_id,
            row_number() over (order by iso3, year desc nulls last, grant_id) as country_order
        from ms_grants
    ),

    final as (
        select
            r.grant_key,
            g.*,
            r.order_oldest,
            r.order_amount,
            r.order_funder,
            r.order_id,
            r.country_order
        from ms_grants as g
        inner join ranks as r on r.grant_id = g.grant_id
    )

    select * from final
    order by grant_key;

-- Award money per year of every series that holds a funder's whole portfolio, MS or not (the
-- denominator of the funding page's MS share), in the three currencies.
create macro serve_portfolio_years_of(snap := '') as table
    with final as (
        select
            g.series_id,
            g.year,
            sum(g.amount_eur) as amount_eur,
            sum(g.amount_usd) as amount_usd,
            sum(g.amount_gbp) as amount_gbp,
            count(*) as awards
        from query_table(snap || 'grants') as g
        where g.record_type = 'award'
          and g.series_id in (select series_id from query_table(snap || 'funding_series') where whole_portfolio)
        group by g.series_id, g.year
    )

    select * from final
    order by series_id, year;

-- One row per table (trials, funding, projects) and source: its oldest and newest as-of date, and
-- which registry dates its records give at all (the What changed page counts nothing for a date a
-- source never gives). Over every row, MS or not.
create macro serve_sources_of(snap := '') as table
    with final as (
        select
            'trials' as kind,
            source,
            min(as_of) as as_of_min,
            max(as_of) as as_of_max,
            count(first_posted) > 0 as gives_first_posted,
            count(start_date) > 0 as gives_start_date,
            count(completion_date) > 0 as gives_completion_date,
            count(last_update_posted) > 0 as gives_last_update,
            count(why_stopped) > 0 as gives_reason,
            count(results_first_posted) > 0 as gives_results_date,
            false as gives_award_date
        from query_table(snap || 'trials')
        group by source
        union all
        select
            'funding' as kind,
            source,
            min(as_of) as as_of_min,
            max(as_of) as as_of_max,
            false,
            false,
            false,
            false,
            false,
            false,
            count(coalesce(award_date, start_date)) filter (where record_type = 'award') > 0
        from query_table(snap || 'grants')
        group by source
        union all
        select
            'projects' as kind,
            source,
            min(as_of) as as_of_min,
            max(as_of) as as_of_max,
            false,
            false,
            false,
            false,
            false,
            false,
            false
        from query_table(snap || 'projects')
        group by source
    )

    select * from final
    order by kind, source;

-- The values the sidebar filters offer (and the URL parser accepts): see queries/filter_options.sql.
create macro serve_filter_options_of(snap := '') as table
    with trial_country as (
        -- one row per trial and country (the table's primary key): count(*) counts distinct trials
        select
            iso3,
            count(*) as n
        from query_table(snap || 'trial_countries')
        group by iso3
    ),

    project_country as (
        select
            iso3,
            count(*) as n
        from query_table(snap || 'projects')
        where iso3 is not null
          and ms_relevance <> 'Not MS'
        group by iso3
    ),

    used_countries as (
        select
            c.iso3,
            c.name,
            c.region,
            coalesce(t.n, 0) + coalesce(p.n, 0) as n
        from query_table(snap || 'countries') as c
        left join trial_country as t on t.iso3 = c.iso3
        left join project_country as p on p.iso3 = c.iso3
        where t.n is not null
           or p.n is not null
    ),

    final as (
        select 'country' as kind, iso3 as value, name as label, n from used_countries
        union all
        select 'region' as kind, region as value, region as label, cast(sum(n) as bigint) as n
        from used_countries
        where region is not null
        group by region
        union all
        select 'funder' as kind, funder as value, funder as label, count(*) as n
        from query_table(snap || 'grants')
        where ms_relevance <> 'Not MS'
        group by funder
    )

    select * from final
    order by kind, label;

-- Which years each trial registry and each funding coverage series covers: see queries/about_coverage.sql.
create macro serve_about_coverage_of(snap := '') as table
    with funding as (
        select
            s.source,
            c.series_id,
            s.title as label,
            c.year,
            c.coverage || ' (' || c.basis || ')' as coverage,
            count(g.grant_id) as records
        from query_table(snap || 'series_coverage') as c
        inner join query_table(snap || 'funding_series') as s on s.series_id = c.series_id
        left join query_table(snap || 'grants') as g on g.series_id = c.series_id and g.year = c.year
        group by s.source, c.series_id, s.title, c.year, c.coverage, c.basis
    ),

    registries as (
        select
            source,
            year(start_date) as year,
            count(*) as records
        from query_table(snap || 'trials')
        where start_date is not null
        group by source, year(start_date)
    ),

    registry_coverage as (
        -- NOTE: registry coverage is a judgement stated here, not in the data: ClinicalTrials.gov
        -- registration became expected in 2005 (ICMJE) and required in 2007 (FDAAA), so earlier start
        -- years hold only the trials registered then or retrospectively; CTIS went live on 2022-01-31
        -- and holds older EU trials only when they transitioned from EudraCT.
        select
            source,
            source as series_id,
            cast(null as varchar) as label,
            year,
            case
                when source in ('ctgov', 'ctgov_api') and year >= 2005 then 'complete (trials registered on ClinicalTrials.gov)'
                when source in ('ctgov', 'ctgov_api') then 'partial (registration not yet expected)'
                when source = 'ctis' and year >= 2023 then 'complete (EU/EEA trials authorised under the Regulation)'
                else 'partial (only trials transitioned from EudraCT)'
            end as coverage,
            records
        from registries
    ),

    final as (
        select source, series_id, label, year, coverage, records from registry_coverage
        union all
        select source, series_id, label, year, coverage, records from funding
    )

    select * from final
    order by source, series_id, year;

-- Shared filter macros, loaded once per connection by msprogress/db.py.
-- Every query filters through these, so one filter means the same thing on every page.
-- $f is the struct from msprogress.filters.Filters.as_struct(): lists are empty for "all".

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

create macro filtered_trials(f) as table
    select t.*
    from trials as t
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
              from trial_countries as tc
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

create macro filtered_grants(f) as table
    select g.*
    from grants as g
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
create macro pipeline_trial_rows(f, include_supportive, include_nondrug) as table
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
        from filtered_trials(f)
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
        from trial_interventions as i
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
        inner join agents as a on a.agent_id = i.agent_id
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

-- The agents a regulator's label approves for a progressive population the filters show (all
-- progressive populations when none is chosen): one row per agent, with the approvals in words
-- ('PPMS: FDA 2017; PPMS: EMA 2018') and the label of the earliest. Such an agent's pipeline stage
-- is 'Approved for progressive MS' (schema.APPROVED_STAGE), whatever the phase of its trials.
create macro approved_agents(f) as table
    select
        agent_id,
        string_agg(population || ': ' || regulator || ' ' || year, '; ' order by year, regulator) as approval,
        arg_min(label_url, year) as approval_url
    from agent_approvals
    where len(f['populations']) = 0
       or list_contains(f['populations'], population)
    group by agent_id;

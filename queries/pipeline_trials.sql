-- purpose: Progressive-MS interventional trials of each pipeline marker (an agent, or a non-drug modality at a stage), one row per marker and trial.
-- params:
--   $f                   STRUCT   filter state; progressive populations and interventional studies are always applied
--   $pipeline_pop        VARCHAR  'all' (every progressive population), 'PPMS' or 'SPMS'
--   $include_mixed       BOOLEAN  with 'PPMS' or 'SPMS': also count trials enrolling both forms (Mixed progressive)
--   $include_supportive  BOOLEAN  also count supportive, diagnostic and background-therapy agents
--   $include_nondrug     BOOLEAN  also count non-drug interventions without an agent (rehabilitation, exercise …)
-- columns:
--   marker_id        VARCHAR  'agent:<agent_id>' or 'nondrug:<modality>:<stage>' (one marker on the pipeline grid)
--   item_kind        VARCHAR  'agent' or 'non-drug'
--   item_id          VARCHAR  agent_id, or the modality of a non-drug intervention
--   label            VARCHAR  agent name, or the modality
--   mechanism_class  VARCHAR
--   modality         VARCHAR  the agent's modality, or the intervention modality for non-drug rows
--   therapy_role     VARCHAR  the agent's role; empty for non-drug rows
--   trial_id         VARCHAR
--   registry         VARCHAR
--   url              VARCHAR
--   brief_title      VARCHAR
--   phase            VARCHAR  the trial's normalised phase
--   stage            VARCHAR  the trial's pipeline column: its phase, Early phase 1 folded into Phase 1, Not applicable for unphased trials
--   stage_rank       DOUBLE   the stage as a number (1, 1.5 … 4); empty for Not applicable
--   status_group     VARCHAR
--   population       VARCHAR
--   sponsor          VARCHAR
--   start_date       DATE
--   completion_date  DATE
--   enrollment       BIGINT   participants, actual or anticipated (empty when not stated)
with scope as (
    select
        *,
        case
            when phase = 'Early phase 1' then 'Phase 1'
            when phase is null or phase = 'Not applicable' then 'Not applicable'
            else phase
        end as stage,
        case when phase_rank = 0.5 then 1.0 else phase_rank end as stage_rank
    from filtered_trials($f)
    where is_progressive
      and study_type = 'Interventional'
      and (
          $pipeline_pop = 'all'
          or population = $pipeline_pop
          or ($include_mixed and population = 'Mixed progressive')
      )
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
    from trial_interventions as i
    inner join agents as a on a.agent_id = i.agent_id
    where not i.is_placebo
      and (
          $include_supportive
          or (
              a.therapy_role in ('disease-modifying', 'symptomatic')
              and a.mechanism_class <> 'Background therapy / standard of care'
          )
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
    from trial_interventions as i
    where $include_nondrug
      and not i.is_placebo
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
        s.start_date,
        s.completion_date,
        s.enrollment
    from items as i
    inner join scope as s on s.trial_id = i.trial_id
    order by i.item_kind, i.label, s.stage_rank desc nulls last, s.start_date, s.trial_id
)

select * from final

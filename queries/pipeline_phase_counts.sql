-- purpose: Agents in the progressive-MS pipeline by their highest phase, or approved for progressive MS: the stage counts of the pipeline grid (disease-modifying and symptomatic agents; agents with no phased trial left out).
-- params:
--   $f  STRUCT  filter state (its populations choose which approvals count); the progressive population is always applied
-- columns:
--   phase        VARCHAR  highest phase of the agent's progressive-MS trials (Early phase 1 counted as Phase 1), or 'Approved for progressive MS' when a label approves it for a population shown (approved_agents)
--   phase_rank   DOUBLE   phase as a number for ordering (5 for approved)
--   agents       BIGINT   distinct agents at that phase
with agent_trials as (
    select
        item_id as agent_id,
        stage,
        stage_rank
    from pipeline_trial_rows($f, false, false)
    where item_kind = 'agent'
),

top_stage as (
    select
        agent_id,
        arg_max(stage, stage_rank) as phase,
        max(stage_rank) as phase_rank
    from agent_trials
    group by agent_id
),

-- NOTE: an approval outranks any trial phase ('Approved for progressive MS' is schema.APPROVED_STAGE).
agent_stage as (
    select
        t.agent_id,
        case when ap.agent_id is null then t.phase else 'Approved for progressive MS' end as phase,
        case when ap.agent_id is null then t.phase_rank else 5.0 end as phase_rank
    from top_stage as t
    left join approved_agents($f) as ap on ap.agent_id = t.agent_id
),

final as (
    select
        phase,
        phase_rank,
        count(*) as agents
    from agent_stage
    where phase_rank is not null
    group by phase, phase_rank
    order by phase_rank
)

select * from final

-- purpose: Agents in the progressive-MS pipeline by their highest phase, or approved for progressive MS (disease-modifying and symptomatic drugs).
-- params:
--   $f  STRUCT  filter state; the progressive population is always applied
-- columns:
--   phase        VARCHAR  highest phase of the agent's progressive-MS trials, or 'Approved for progressive MS' when a label approves it for PPMS or SPMS (agent_approvals)
--   phase_rank   DOUBLE   phase as a number for ordering (5 for approved)
--   agents       BIGINT   distinct agents at that phase
with progressive_trials as (
    select *
    from filtered_trials($f)
    where is_progressive
      and study_type = 'Interventional'
      and phase_rank is not null
),

agent_trials as (
    select
        i.agent_id,
        t.phase_rank
    from trial_interventions as i
    inner join progressive_trials as t on t.trial_id = i.trial_id
    inner join agents as a on a.agent_id = i.agent_id
    where not i.is_placebo
      and i.co_medication is null
      and a.therapy_role in ('disease-modifying', 'symptomatic')
),

-- NOTE: an approval outranks any trial phase ('Approved for progressive MS' is schema.APPROVED_STAGE).
agent_stage as (
    select
        agent_id,
        case
            when agent_id in (select agent_id from agent_approvals) then 5.0
            else max(phase_rank)
        end as phase_rank
    from agent_trials
    group by agent_id
),

stages as (
    select distinct
        phase,
        phase_rank
    from trials
    where phase_rank is not null
    union all
    select
        'Approved for progressive MS' as phase,
        5.0 as phase_rank
),

final as (
    select
        t.phase,
        s.phase_rank,
        count(*) as agents
    from agent_stage as s
    inner join stages as t
        on t.phase_rank = s.phase_rank
    group by t.phase, s.phase_rank
    order by s.phase_rank
)

select * from final

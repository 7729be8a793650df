-- purpose: Agents in the progressive-MS pipeline by their highest phase (disease-modifying and symptomatic drugs).
-- params:
--   $f  STRUCT  filter state; the progressive population is always applied
-- columns:
--   phase        VARCHAR  highest phase of the agent's progressive-MS trials
--   phase_rank   DOUBLE   phase as a number for ordering
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

agent_stage as (
    select
        agent_id,
        max(phase_rank) as phase_rank
    from agent_trials
    group by agent_id
),

final as (
    select
        t.phase,
        s.phase_rank,
        count(*) as agents
    from agent_stage as s
    inner join (select distinct phase, phase_rank from trials where phase_rank is not null) as t
        on t.phase_rank = s.phase_rank
    group by t.phase, s.phase_rank
    order by s.phase_rank
)

select * from final

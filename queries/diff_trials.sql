-- purpose: What changed for progressive-MS trials between an earlier snapshot and this one: trials added, no longer in their source, and changes of status, phase, enrollment and population.
-- params:
--   $f  STRUCT  filter state, applied in each snapshot to its own rows; progressive-MS populations (in either snapshot) are always applied
-- columns:
--   change        VARCHAR  'added', 'no longer in the source', 'status', 'phase', 'enrollment' (participants) or 'population' (a trial can have several changes)
--   trial_id      VARCHAR
--   registry      VARCHAR
--   url           VARCHAR
--   brief_title   VARCHAR  title now (then, for a trial no longer in the source)
--   before        VARCHAR  the value in the earlier snapshot (empty for 'added', and where it was not stated)
--   after         VARCHAR  the value now (empty for 'no longer in the source', and where it is not stated)
--   population    VARCHAR  population now (then, for a trial no longer in the source)
--   phase         VARCHAR  phase now (then, for a trial no longer in the source)
--   status        VARCHAR  status now (then, for a trial no longer in the source)
--   why_stopped   VARCHAR  the registry's stated reason, for a trial now terminated, withdrawn or suspended
--   source        VARCHAR  the source the trial is read from now (then, for a trial no longer in the source)

-- NOTE: a trial missing from the current snapshot is "no longer in the source": the source file no
-- longer lists it (the registry may still hold it), which is not the same as deleted.
-- NOTE: the filters choose trials in each snapshot's serving table (an earlier snapshot built before
-- it existed computes it: msprogress/db.py); the comparison reads the canonical tables, where a trial
-- that left MS research (its population) is still found. Each is read once, for the matched trials.

with matched as (
    -- the trials progressive and matching the filters in either snapshot (its serving table)
    select
        trial_id,
        bool_or(side = 'now') as now_match,
        bool_or(side = 'then') as then_match
    from (
        select trial_id, 'now' as side from serve_trials where trial_filter($f) and is_progressive
        union all
        select trial_id, 'then' as side from prev_serve_trials where trial_filter($f) and is_progressive
    )
    group by trial_id
),

-- each matched trial as it is now and as it was (canonical tables: one read of each)
pairs as (
    select
        m.trial_id,
        m.now_match,
        m.then_match,
        n.trial_id is not null as in_now,
        p.trial_id is not null as in_then,
        n.registry,
        n.url,
        n.brief_title,
        n.population,
        n.phase,
        n.status,
        n.status_group,
        n.why_stopped,
        n.source,
        n.enrollment,
        n.enrollment_type,
        p.registry as then_registry,
        p.url as then_url,
        p.brief_title as then_brief_title,
        p.population as then_population,
        p.phase as then_phase,
        p.status as then_status,
        p.status_group as then_status_group,
        p.why_stopped as then_why_stopped,
        p.source as then_source,
        p.enrollment as then_enrollment,
        p.enrollment_type as then_enrollment_type
    from matched as m
    left join trials as n on n.trial_id = m.trial_id
    left join prev_trials as p on p.trial_id = m.trial_id
),

both_trials as (
    select *
    from pairs
    where in_now
      and in_then
),

changes as (
    select 'added' as change, *, null as before, null as after
    from pairs
    where now_match
      and not in_then
    union all by name
    select
        'no longer in the source' as change,
        trial_id,
        then_registry as registry,
        then_url as url,
        then_brief_title as brief_title,
        then_population as population,
        then_phase as phase,
        then_status as status,
        then_status_group as status_group,
        then_why_stopped as why_stopped,
        then_source as source,
        null as before,
        null as after
    from pairs
    where then_match
      and not in_now
    union all by name
    select 'status' as change, *, then_status as before, status as after
    from both_trials
    where status is distinct from then_status
    union all by name
    select 'phase' as change, *, then_phase as before, phase as after
    from both_trials
    where phase is distinct from then_phase
    union all by name
    select
        'enrollment' as change,
        *,
        cast(then_enrollment as varchar) || coalesce(' (' || lower(then_enrollment_type) || ')', '') as before,
        cast(enrollment as varchar) || coalesce(' (' || lower(enrollment_type) || ')', '') as after
    from both_trials
    where enrollment is distinct from then_enrollment
    union all by name
    select 'population' as change, *, then_population as before, population as after
    from both_trials
    where population is distinct from then_population
),

final as (
    select
        change,
        trial_id,
        registry,
        url,
        brief_title,
        cast(before as varchar) as before,
        cast(after as varchar) as after,
        population,
        phase,
        status,
        case when status_group in ('Stopped early', 'Withdrawn') then why_stopped end as why_stopped,
        source
    from changes
)

select * from final
order by
    case change
        when 'added' then 1
        when 'no longer in the source' then 2
        when 'status' then 3
        when 'phase' then 4
        when 'enrollment' then 5
        else 6
    end,
    trial_id

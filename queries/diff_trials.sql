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

with now_trials as (
    select *
    from filtered_trials($f)
    where is_progressive
),

then_trials as (
    select *
    from filtered_trials($f, snap := 'prev_')
    where is_progressive
),

-- trials progressive (and matching the filters) in either snapshot, present in both
both_trials as (
    select
        n.*,
        p.status as then_status,
        p.phase as then_phase,
        p.enrollment as then_enrollment,
        p.enrollment_type as then_enrollment_type,
        p.population as then_population
    from trials as n
    inner join prev_trials as p on p.trial_id = n.trial_id
    where n.trial_id in (select trial_id from now_trials)
       or n.trial_id in (select trial_id from then_trials)
),

enrollment_text as (
    select
        trial_id,
        cast(then_enrollment as varchar) || coalesce(' (' || lower(then_enrollment_type) || ')', '') as then_text,
        cast(enrollment as varchar) || coalesce(' (' || lower(enrollment_type) || ')', '') as now_text
    from both_trials
),

changes as (
    select 'added' as change, n.*, null as before, null as after
    from now_trials as n
    where n.trial_id not in (select trial_id from prev_trials)
    union all by name
    select 'no longer in the source' as change, p.*, null as before, null as after
    from then_trials as p
    where p.trial_id not in (select trial_id from trials)
    union all by name
    select 'status' as change, b.*, b.then_status as before, b.status as after
    from both_trials as b
    where b.status is distinct from b.then_status
    union all by name
    select 'phase' as change, b.*, b.then_phase as before, b.phase as after
    from both_trials as b
    where b.phase is distinct from b.then_phase
    union all by name
    select 'enrollment' as change, b.*, e.then_text as before, e.now_text as after
    from both_trials as b
    inner join enrollment_text as e on e.trial_id = b.trial_id
    where b.enrollment is distinct from b.then_enrollment
    union all by name
    select 'population' as change, b.*, b.then_population as before, b.population as after
    from both_trials as b
    where b.population is distinct from b.then_population
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

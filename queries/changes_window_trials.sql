-- purpose: Registry activity of progressive-MS trials in the months before each source's as-of date: newly registered, started, completed, stopped, results posted.
-- params:
--   $f       STRUCT   filter state; progressive-MS populations are always applied
--   $months  INTEGER  length of the window: the $months months up to and including the trial's source as-of date
-- columns:
--   event           VARCHAR  'registered', 'started', 'completed', 'stopped' or 'results posted' (a trial can have several)
--   event_date      DATE     the date that places the event in the window (see date_basis)
--   date_basis      VARCHAR  which registry date that is: first posted, authorisation decision, start, completion, last update posted, results first posted
--   window_start    DATE     first day of the window (the source's as-of date minus $months months, plus one day)
--   window_end      DATE     last day of the window: the source's as-of date (sources whose data end before the newest source's window are left out)
--   trial_id        VARCHAR
--   registry        VARCHAR
--   url             VARCHAR
--   brief_title     VARCHAR
--   phase           VARCHAR
--   status          VARCHAR
--   population      VARCHAR
--   sponsor         VARCHAR
--   enrollment      BIGINT   participants, actual or anticipated (empty when not stated)
--   why_stopped     VARCHAR  the registry's stated reason (stopped trials; only the ClinicalTrials.gov API gives one)
--   source          VARCHAR
with events as (
    select *
    from trial_registry_events($f, $months)
),

final as (
    select
        event,
        event_date,
        date_basis,
        window_start,
        window_end,
        trial_id,
        registry,
        url,
        brief_title,
        phase,
        status,
        population,
        sponsor,
        enrollment,
        why_stopped,
        source
    from events
)

select * from final
order by
    case event when 'registered' then 1 when 'started' then 2 when 'completed' then 3 when 'stopped' then 4 else 5 end,
    event_date desc,
    trial_id

-- purpose: Per source, what happened in its window: progressive-MS trials registered, started, completed, stopped and with results posted; awards made. Empty where the source gives no date to count by.
-- params:
--   $f       STRUCT   filter state; trial counts are always of progressive-MS trials
--   $months  INTEGER  length of the window: the $months months up to and including the source's as-of date
-- columns:
--   source               VARCHAR  source id
--   kind                 VARCHAR  'trials' or 'funding'
--   as_of                DATE     the source's as-of date: the last day of its window
--   window_start         DATE     first day of the window
--   covers_window        BOOLEAN  false when the source's data end before the window of the newest source of its kind (then every count is empty)
--   registered           BIGINT   trials first posted (CTIS: authorised) in the window; empty when the source's records carry no such date
--   started              BIGINT   trials that started in the window (anticipated starts not counted); empty when no start date is given
--   completed            BIGINT   trials completed in the window; empty when no completion date is given
--   stopped              BIGINT   trials terminated, withdrawn, suspended or halted in the window; empty when the source gives no date to place them by
--   stopped_with_reason  BIGINT   of which the registry states why; empty when the source never states a reason
--   results_posted       BIGINT   trials whose results were first posted in the window; empty when the source does not date results
--   awards               BIGINT   awards whose award (else start) date is in the window; empty when the source dates no award
--   awards_year_only     BIGINT   awards the source dates only by a year that overlaps the window (they may fall in it)

-- NOTE: "empty" is decided over every row of the source in the snapshot, not only the filtered ones:
-- a source that gives a date counts 0 when nothing falls in the window; one that never gives it (an
-- export without the column, a snapshot built before it was read) counts nothing.
with gives as (
    select
        source,
        count(first_posted) > 0 as first_posted,
        count(start_date) > 0 as start_date,
        count(completion_date) > 0 as completion_date,
        count(last_update_posted) > 0 as last_update,
        count(why_stopped) > 0 as reason,
        count(results_first_posted) > 0 as results_date,
        false as award_date
    from trials
    group by source
    union all
    select
        source,
        false,
        false,
        false,
        false,
        false,
        false,
        count(coalesce(award_date, start_date)) filter (where record_type = 'award') > 0
    from grants
    group by source
),

trial_counts as (
    select
        source,
        count(distinct trial_id) filter (where event = 'registered') as registered,
        count(distinct trial_id) filter (where event = 'started') as started,
        count(distinct trial_id) filter (where event = 'completed') as completed,
        count(distinct trial_id) filter (where event = 'stopped') as stopped,
        count(distinct trial_id) filter (where event = 'stopped' and why_stopped is not null) as stopped_with_reason,
        count(distinct trial_id) filter (where event = 'results posted') as results_posted
    from trial_registry_events($f, $months)
    group by source
),

award_counts as (
    select
        source,
        count(*) filter (where placed = 'dated') as awards,
        count(*) filter (where placed = 'year only') as awards_year_only
    from award_window_rows($f, $months)
    group by source
),

final as (
    select
        w.source,
        w.kind,
        w.as_of,
        w.window_start,
        w.covers_window,
        case when w.covers_window and g.first_posted then coalesce(t.registered, 0) end as registered,
        case when w.covers_window and g.start_date then coalesce(t.started, 0) end as started,
        case when w.covers_window and g.completion_date then coalesce(t.completed, 0) end as completed,
        case when w.covers_window and g.last_update then coalesce(t.stopped, 0) end as stopped,
        case when w.covers_window and g.reason then coalesce(t.stopped_with_reason, 0) end as stopped_with_reason,
        case when w.covers_window and g.results_date then coalesce(t.results_posted, 0) end as results_posted,
        case when w.covers_window and g.award_date then coalesce(a.awards, 0) end as awards,
        case when w.covers_window and w.kind = 'funding' then coalesce(a.awards_year_only, 0) end as awards_year_only
    from source_windows($months) as w
    inner join gives as g on g.source = w.source
    left join trial_counts as t on t.source = w.source
    left join award_counts as a on a.source = w.source
)

select * from final
order by kind desc, source

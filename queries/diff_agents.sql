-- purpose: Agents whose therapy-pipeline stage moved between an earlier snapshot and this one, and agents new to or no longer in the pipeline.
-- params:
--   $f  STRUCT  filter state, applied in each snapshot; the pipeline's default view (every progressive population, drug and biological agents) as on the Pipeline page
-- columns:
--   marker_id        VARCHAR  'agent:<agent_id>', as on the Pipeline page (its highlight parameter takes these)
--   agent_id         VARCHAR
--   label            VARCHAR  agent name (now; then for an agent no longer in the pipeline)
--   mechanism_class  VARCHAR
--   change           VARCHAR  'moved up', 'moved down', 'new in the pipeline' or 'no longer in the pipeline'
--   stage_before     VARCHAR  stage in the earlier snapshot (empty for a new agent)
--   stage_after      VARCHAR  stage now (empty for an agent no longer in the pipeline)
--   trials_before    BIGINT   its progressive-MS trials then
--   trials_after     BIGINT   its progressive-MS trials now

-- NOTE: both stages come from one definition, the macro pipeline_marker_rows, read over each
-- snapshot's own tables (snap := 'prev_' for the earlier one).
with now_agents as (
    select *
    from pipeline_marker_rows($f, false, false)
    where item_kind = 'agent'
),

then_agents as (
    select *
    from pipeline_marker_rows($f, false, false, snap := 'prev_')
    where item_kind = 'agent'
),

compared as (
    select
        coalesce(n.marker_id, p.marker_id) as marker_id,
        coalesce(n.item_id, p.item_id) as agent_id,
        coalesce(n.label, p.label) as label,
        coalesce(n.mechanism_class, p.mechanism_class) as mechanism_class,
        case
            when p.marker_id is null then 'new in the pipeline'
            when n.marker_id is null then 'no longer in the pipeline'
            when coalesce(n.stage_rank, 0) > coalesce(p.stage_rank, 0) then 'moved up'
            when coalesce(n.stage_rank, 0) < coalesce(p.stage_rank, 0) then 'moved down'
        end as change,
        p.stage as stage_before,
        n.stage as stage_after,
        p.trials as trials_before,
        n.trials as trials_after
    from now_agents as n
    full outer join then_agents as p on p.marker_id = n.marker_id
),

final as (
    select *
    from compared
    where change is not null
)

select * from final
order by
    case change when 'moved up' then 1 when 'moved down' then 2 when 'new in the pipeline' then 3 else 4 end,
    label

-- purpose: Rejected rows counted by source and reason (the reason text up to its first colon).
-- params:
--   (none)
-- columns:
--   source    VARCHAR  source id
--   outcome   VARCHAR  'row not kept' or 'value left empty' (the row was kept)
--   reason    VARCHAR  kind of rejection (the reason text before any ':' detail)
--   rejected  BIGINT   rows or values rejected for that reason
with kinds as (
    select
        source,
        case when row_kept then 'value left empty' else 'row not kept' end as outcome,
        trim(split_part(reason, ':', 1)) as reason
    from rejections
),

final as (
    select
        source,
        outcome,
        reason,
        count(*) as rejected
    from kinds
    group by source, outcome, reason
    order by outcome, rejected desc, source, reason
)

select * from final

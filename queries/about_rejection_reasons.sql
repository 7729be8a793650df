-- purpose: Rejected rows counted by source and reason (the reason text up to its first colon).
-- params:
--   (none)
-- columns:
--   source    VARCHAR  source id
--   reason    VARCHAR  kind of rejection (the reason text before any ':' detail)
--   rejected  BIGINT   rows or values rejected for that reason
with kinds as (
    select
        source,
        trim(split_part(reason, ':', 1)) as reason
    from rejections
),

final as (
    select
        source,
        reason,
        count(*) as rejected
    from kinds
    group by source, reason
    order by rejected desc, source, reason
)

select * from final

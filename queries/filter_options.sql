-- purpose: The values the sidebar filters offer (and the URL parser accepts), from the snapshot.
-- params:
--   (none)
-- columns:
--   kind    VARCHAR  'country', 'region' or 'funder'
--   value   VARCHAR  the value stored in the data (ISO-3, UN region, funder name)
--   label   VARCHAR  what the user sees
--   n       BIGINT   records carrying the value
with final as (
    -- NOTE: the options take no filter: the build stores them (serve_filter_options, defined in
    -- queries/_serving.sql).
    select
        kind,
        value,
        label,
        n
    from serve_filter_options
)

select * from final
order by kind, label

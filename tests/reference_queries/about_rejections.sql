-- purpose: Every row or value the snapshot build rejected, with its file, row, column and reason.
-- params:
--   (none)
-- columns:
--   source  VARCHAR  source id
--   file    VARCHAR  raw file, relative to data/raw/
--   row     BIGINT   1-based row in the file (header = 1); empty when the whole file is meant
--   column  VARCHAR  column at fault, where one is
--   reason  VARCHAR  why the row (or value) was not kept
--   outcome VARCHAR  'row not kept' or 'value left empty' (the row was kept)
with final as (
    select
        source,
        file,
        "row",
        "column",
        reason,
        case when row_kept then 'value left empty' else 'row not kept' end as outcome
    from rejections
    order by source, file, "row" nulls first, "column"
)

select * from final

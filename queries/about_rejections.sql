-- purpose: Every row or value the snapshot build rejected, with its file, row, column and reason.
-- params:
--   (none)
-- columns:
--   source  VARCHAR  source id
--   file    VARCHAR  raw file, relative to data/raw/
--   row     BIGINT   1-based row in the file (header = 1); empty when the whole file is meant
--   column  VARCHAR  column at fault, where one is
--   reason  VARCHAR  why the row (or value) was not kept
with final as (
    select
        source,
        file,
        "row",
        "column",
        reason
    from rejections
    order by source, file, "row" nulls first, "column"
)

select * from final

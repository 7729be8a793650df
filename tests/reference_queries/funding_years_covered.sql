-- purpose: For each year of one coverage series (or of every series), whether it is covered completely or partially; years absent are not covered: missing, not zero.
-- params:
--   $f       STRUCT   filter state (years outside its year range are left out)
--   $series  VARCHAR  a series_id, or null for every series
-- columns:
--   series_id  VARCHAR  coverage series
--   year       INTEGER  a year the series covers
--   coverage   VARCHAR  'complete' or 'partial'
--   basis      VARCHAR  what the judgement rests on (award dates, a keyword screen, announcements …)
with final as (
    select
        series_id,
        year::integer as year,
        coverage,
        basis
    from series_coverage
    where ($series is null or series_id = $series)
      and year_in_range($f, year)
)

select * from final
order by series_id, year

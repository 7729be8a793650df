-- purpose: For each year, how well the sources of the shown funders cover it (years absent are not covered: missing, not zero).
-- params:
--   $f  STRUCT  filter state (its funder list decides which sources are in scope; years outside its year range are left out)
-- columns:
--   year       INTEGER  a year at least one in-scope source covers
--   coverage   VARCHAR  'complete' when any in-scope source covers the year completely, else 'partial'
--   sources    VARCHAR  the covering sources and their coverage, e.g. 'nih_reporter: complete (NINDS only)'
with in_scope as (
    select distinct source
    from grants
    where record_type = 'award'
      and (len($f['funders']) = 0 or list_contains($f['funders'], funder))
),

covering as (
    select
        sc.year,
        sc.source,
        sc.coverage
    from source_coverage as sc
    where sc.source in (select source from in_scope)
      and year_in_range($f, sc.year)
),

final as (
    select
        year::integer as year,
        case when bool_or(coverage like 'complete%') then 'complete' else 'partial' end as coverage,
        string_agg(source || ': ' || coverage, '; ' order by source) as sources
    from covering
    group by year
    order by year
)

select * from final

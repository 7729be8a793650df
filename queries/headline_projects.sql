-- purpose: Headline research-project counts for the current filters.
-- params:
--   $f  STRUCT  filter state
-- columns:
--   projects               BIGINT   MS research projects matching the filters
--   progressive_projects   BIGINT   of which progressive-specific
--   countries              BIGINT   countries of the lead organisations
--   funders                BIGINT   distinct funders
--   as_of_max              DATE     newest as-of date of the project sources
with counts as (
    select
        count(*) as projects,
        count(*) filter (where is_progressive) as progressive_projects,
        count(distinct iso3) as countries,
        count(distinct funder) as funders
    from serve_projects
    where funding_filter($f)
),

as_of as (
    -- every project source, MS or not
    select max(as_of_max) as as_of_max
    from serve_sources
    where kind = 'projects'
),

final as (
    select
        n.projects,
        n.progressive_projects,
        n.countries,
        n.funders,
        a.as_of_max
    from counts as n, as_of as a
)

select * from final

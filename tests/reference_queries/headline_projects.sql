-- purpose: Headline research-project counts for the current filters.
-- params:
--   $f  STRUCT  filter state
-- columns:
--   projects               BIGINT   MS research projects matching the filters
--   progressive_projects   BIGINT   of which progressive-specific
--   countries              BIGINT   countries of the lead organisations
--   funders                BIGINT   distinct funders
--   as_of_max              DATE     newest as-of date of the project sources
with matching as (
    select *
    from filtered_projects($f)
),

final as (
    select
        count(*) as projects,
        count(*) filter (where ms_relevance = 'Progressive-specific') as progressive_projects,
        count(distinct iso3) as countries,
        count(distinct funder) as funders,
        (select max(as_of) from projects) as as_of_max
    from matching
)

select * from final

-- purpose: The matching research projects led from one country, for the map's country detail: the 5,000 newest (map_country_counts gives how many match).
-- params:
--   $f     STRUCT   filter state (msprogress.filters.Filters.as_struct)
--   $iso3  VARCHAR  the country selected on the map (ISO-3)
-- columns:
--   project_id     VARCHAR  stable project key
--   title          VARCHAR  project title
--   organisation   VARCHAR  lead organisation
--   city           VARCHAR  organisation city
--   funder         VARCHAR  funding organisation
--   start_date     DATE     project start
--   ms_relevance   VARCHAR  progressive-specific or MS in general
--   url            VARCHAR  funder or registry page for the project
with final as (
    select
        project_id,
        title,
        organisation,
        city,
        funder,
        start_date,
        ms_relevance,
        url
    from filtered_projects($f)
    where iso3 = $iso3
    order by start_date desc nulls last, project_id
    limit 5000  -- the table's display cap: a country can hold most of the data (USA)
)

select * from final
order by start_date desc nulls last, project_id

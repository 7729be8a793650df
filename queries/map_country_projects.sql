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

-- NOTE: country_order ranks a country's projects newest start first (queries/_serving.sql): the list
-- is found on the rank alone, then its rows read by it.
with shown as (
    select country_order
    from serve_projects
    where funding_filter($f)
      and iso3 = $iso3
    order by country_order
    limit 5000  -- the table's display cap: a country can hold most of the data (USA)
),

final as (
    select
        p.project_id,
        p.title,
        p.organisation,
        p.city,
        p.funder,
        p.start_date,
        p.ms_relevance,
        p.url
    from shown as s
    inner join serve_projects as p on p.country_order = s.country_order
    order by s.country_order
)

select * from final

-- purpose: Which years each trial registry and each funding coverage series covers, for the About page's grid (a year not listed is not covered).
-- params:
--   (none)
-- columns:
--   source    VARCHAR  source id
--   series_id VARCHAR  funding: the coverage series; registries: the source id
--   label     VARCHAR  funding: the series in words; registries: empty (the page names the registry)
--   year      BIGINT   funding sources: fiscal or award year with records; registries: trial start year
--   coverage  VARCHAR  'complete …' or 'partial …', with what the word means for this row
--   records   BIGINT   grant records (funding) or trials starting (registries) in that year
with final as (
    -- NOTE: the coverage grid takes no filter: the build stores it (serve_about_coverage, defined in
    -- queries/_serving.sql).
    select
        source,
        series_id,
        label,
        year,
        coverage,
        records
    from serve_about_coverage
)

select * from final
order by source, series_id, year

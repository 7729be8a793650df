-- purpose: Lead organisations of the matching research projects that have coordinates, one row per organisation and place.
-- params:
--   $f  STRUCT  filter state (msprogress.filters.Filters.as_struct)
-- columns:
--   organisation           VARCHAR  lead organisation as the funder writes it
--   city                   VARCHAR  organisation city
--   iso3                   VARCHAR  ISO 3166-1 alpha-3 code
--   country                VARCHAR  short English country name
--   latitude               DOUBLE   organisation latitude as the source gives it, degrees
--   longitude              DOUBLE   organisation longitude as the source gives it, degrees
--   projects               BIGINT   matching projects led by the organisation
--   progressive_projects   BIGINT   of which progressive-specific
with located as (
    select *
    from filtered_projects($f)
    where latitude is not null
      and longitude is not null
      and organisation is not null
),

final as (
    select
        p.organisation,
        min(p.city) as city,
        p.iso3,
        c.name as country,
        round(avg(p.latitude), 5) as latitude,
        round(avg(p.longitude), 5) as longitude,
        count(*) as projects,
        count(*) filter (where p.ms_relevance = 'Progressive-specific') as progressive_projects
    from located as p
    left join countries as c on c.iso3 = p.iso3
    group by p.organisation, p.iso3, c.name
)

select * from final
order by projects desc, organisation

-- purpose: Individual award money per coverage series, year and group, counted in the award year or spread over the award period; never programme totals or calls.
-- params:
--   $f         STRUCT   filter state
--   $series    VARCHAR  a series_id, or null for every series (each row says its series: never add across series)
--   $currency  VARCHAR  'EUR', 'USD' or 'GBP'
--   $group     VARCHAR  'fundergroup', 'funder', 'gap' or 'country' (unknown values group by funder group)
--   $spread    BOOLEAN  true: an equal share in each year start_year..end_year; false: all in the award year
-- columns:
--   series_id        VARCHAR  coverage series of the awards (see funding_series)
--   year             INTEGER  year the money is counted in (award year, or a year of the award period when spread)
--   grp              VARCHAR  group label: funder group, funder, gap area or country name
--   amount           DOUBLE   money of awards whose amount is exact, in $currency
--   amount_flagged   DOUBLE   money of awards whose amount is up to, at least, approximate or partial, in $currency
--   awards           BIGINT   award records contributing to the year and group (a spread award counts in each of its years)
with awards as (
    select
        g.grant_id,
        g.series_id,
        g.year,
        g.start_year,
        g.end_year,
        in_currency($currency, g.amount_eur, g.amount_usd, g.amount_gbp) as amount_cur,
        coalesce(g.amount_basis, 'exact') in ('up_to', 'at_least', 'approximate', 'partial') as is_flagged,
        case $group
            when 'funder' then g.funder
            when 'gap' then coalesce(g.gap_area, 'Gap area not assigned')
            when 'country' then coalesce(g.country, g.iso3, 'Country not stated')
            else coalesce(g.funder_group, 'Funder group not stated')
        end as grp
    from serve_grants as g
    where funding_filter($f)
      and g.record_type = 'award'
      and g.year is not null
      and ($series is null or g.series_id = $series)
),

with_amount as (
    select *
    from awards
    where amount_cur is not null
),

spreadable as (
    select
        *,
        $spread and start_year is not null and end_year is not null and end_year >= start_year as is_spread
    from with_amount
),

yearly as (
    select
        grant_id,
        series_id,
        grp,
        is_flagged,
        unnest(
            case when is_spread then range(start_year, end_year + 1) else [year] end
        ) as year,
        amount_cur / case when is_spread then end_year - start_year + 1 else 1 end as share
    from spreadable
),

final as (
    select
        series_id,
        year::integer as year,
        grp,
        coalesce(sum(share) filter (where not is_flagged), 0) as amount,
        coalesce(sum(share) filter (where is_flagged), 0) as amount_flagged,
        count(*) as awards  -- one row per award and year (a spread award's years are distinct)
    from yearly
    group by series_id, year, grp
    order by series_id, year, grp
)

select * from final

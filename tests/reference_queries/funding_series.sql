-- purpose: The coverage series the filtered awards belong to, most comparable first: only awards of one series may be drawn as a trend.
-- params:
--   $f         STRUCT   filter state
--   $currency  VARCHAR  'EUR', 'USD' or 'GBP'
-- columns:
--   series_id            VARCHAR  coverage series (see funding_series)
--   source               VARCHAR  source id of the series
--   series_title         VARCHAR  the series in words: who, and what its files hold
--   kind                 VARCHAR  what the series' files hold (every award of the institute, announced awards …)
--   whole_portfolio      BOOLEAN  the files hold every award of the funder, MS or not (its MS share can be computed)
--   complete_years       BIGINT   years the series covers completely (within the filters' years)
--   partial_years        BIGINT   years the series covers partially
--   first_year           INTEGER  first covered year
--   last_year            INTEGER  last covered year
--   award_rows           BIGINT   award records matching the filters (never programme totals or calls)
--   awards_with_amount   BIGINT   of which state an amount convertible to $currency
--   awarded              DOUBLE   their money in $currency
with awards as (
    select
        series_id,
        in_currency($currency, amount_eur, amount_usd, amount_gbp) as amount_cur
    from filtered_grants($f)
    where record_type = 'award'
),

money as (
    select
        series_id,
        count(*) as award_rows,
        count(amount_cur) as awards_with_amount,
        sum(amount_cur) as awarded
    from awards
    group by series_id
),

years as (
    select
        series_id,
        count(*) filter (where coverage = 'complete') as complete_years,
        count(*) filter (where coverage = 'partial') as partial_years,
        min(year)::integer as first_year,
        max(year)::integer as last_year
    from series_coverage
    where year_in_range($f, year)
    group by series_id
),

final as (
    select
        s.series_id,
        s.source,
        s.title as series_title,
        s.kind,
        s.whole_portfolio,
        coalesce(y.complete_years, 0) as complete_years,
        coalesce(y.partial_years, 0) as partial_years,
        y.first_year,
        y.last_year,
        m.award_rows,
        m.awards_with_amount,
        m.awarded
    from money as m
    inner join funding_series as s on s.series_id = m.series_id
    left join years as y on y.series_id = m.series_id
)

select * from final
order by complete_years desc, awarded desc nulls last, series_id

-- purpose: MS research as a share of a funder's money per year, for every series that holds the funder's whole portfolio (every award, MS or not).
-- params:
--   $f         STRUCT   filter state (the MS money matches the filters; the funder's total is all its awards in the series)
--   $currency  VARCHAR  'EUR', 'USD' or 'GBP'
-- columns:
--   series_id          VARCHAR  coverage series holding the funder's whole portfolio
--   series_title       VARCHAR  the series in words
--   funder             VARCHAR  the funder whose money it is
--   year               INTEGER  year (NIH: fiscal year) the money counts in
--   coverage           VARCHAR  'complete' or 'partial' (the series' coverage of the year)
--   total_amount       DOUBLE   all the funder's award money that year in the series, MS or not, in $currency
--   ms_amount          DOUBLE   award money of MS research matching the filters, in $currency
--   progressive_amount DOUBLE   of which progressive-specific research, in $currency
--   ms_share           DOUBLE   ms_amount / total_amount (0–1)
--   progressive_share  DOUBLE   progressive_amount / total_amount (0–1)
--   total_awards       BIGINT   award records that year in the series, MS or not
--   ms_awards          BIGINT   of which MS research matching the filters
with whole as (
    select series_id
    from funding_series
    where whole_portfolio
),

-- every award of the series, MS or not, summed per year by the build (serve_portfolio_years)
everything as (
    select
        series_id,
        year,
        in_currency($currency, amount_eur, amount_usd, amount_gbp) as total_amount,
        awards as total_awards
    from serve_portfolio_years
    where year_in_range($f, year)
),

ms as (
    select
        g.series_id,
        g.year,
        sum(in_currency($currency, g.amount_eur, g.amount_usd, g.amount_gbp)) as ms_amount,
        sum(in_currency($currency, g.amount_eur, g.amount_usd, g.amount_gbp))
            filter (where g.ms_relevance = 'Progressive-specific') as progressive_amount,
        count(*) as ms_awards
    from serve_grants as g
    where funding_filter($f)
      and g.record_type = 'award'
      and g.series_id in (select series_id from whole)
    group by g.series_id, g.year
),

final as (
    select
        e.series_id,
        s.title as series_title,
        s.funder,
        e.year::integer as year,
        c.coverage,
        e.total_amount,
        coalesce(m.ms_amount, 0) as ms_amount,
        coalesce(m.progressive_amount, 0) as progressive_amount,
        coalesce(m.ms_amount, 0) / nullif(e.total_amount, 0) as ms_share,
        coalesce(m.progressive_amount, 0) / nullif(e.total_amount, 0) as progressive_share,
        e.total_awards,
        coalesce(m.ms_awards, 0) as ms_awards
    from everything as e
    inner join funding_series as s on s.series_id = e.series_id
    left join ms as m on m.series_id = e.series_id and m.year = e.year
    left join series_coverage as c on c.series_id = e.series_id and c.year = e.year
    where e.series_id in (select series_id from ms)
)

select * from final
order by series_id, year

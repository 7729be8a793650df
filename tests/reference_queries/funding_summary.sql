-- purpose: Counts behind the funding chart's captions: awards in and not in the sums, and why.
-- params:
--   $f         STRUCT   filter state
--   $currency  VARCHAR  'EUR', 'USD' or 'GBP'
--   $series    VARCHAR  a series_id, or null for every series
-- columns:
--   award_rows            BIGINT   award records matching the filters
--   in_sums               BIGINT   award records with an amount and a year (these are charted)
--   no_amount             BIGINT   award records without a stated amount (not in the sums)
--   no_year               BIGINT   award records with an amount but no year to count it in (not in the sums)
--   flagged               BIGINT   charted awards whose amount is up to, at least, approximate or partial
--   no_duration           BIGINT   charted awards without a known award period (stay in their award year when spread)
--   pre_euro              BIGINT   charted awards of years before 1999, converted at 1999 rates
--   total                 DOUBLE   sum of charted award money in $currency
with awards as (
    select
        *,
        in_currency($currency, amount_eur, amount_usd, amount_gbp) as amount_cur
    from filtered_grants($f)
    where record_type = 'award'
      and ($series is null or series_id = $series)
),

final as (
    select
        count(*) as award_rows,
        count(*) filter (where amount_cur is not null and year is not null) as in_sums,
        count(*) filter (where amount is null) as no_amount,
        count(*) filter (where amount is not null and (amount_cur is null or year is null)) as no_year,
        count(*) filter (
            where amount_cur is not null and year is not null
              and amount_basis in ('up_to', 'at_least', 'approximate', 'partial')
        ) as flagged,
        count(*) filter (
            where amount_cur is not null and year is not null
              and (start_year is null or end_year is null or end_year < start_year)
        ) as no_duration,
        count(*) filter (where amount_cur is not null and year < 1999) as pre_euro,
        sum(amount_cur) filter (where year is not null) as total
    from awards
)

select * from final

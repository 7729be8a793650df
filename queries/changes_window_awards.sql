-- purpose: Awards made in each funding source's window (by award date, else start date), and the awards dated only by a year that overlaps it.
-- params:
--   $f         STRUCT   filter state
--   $months    INTEGER  length of the window: the $months months up to and including the source's as-of date
--   $currency  VARCHAR  'EUR', 'USD' or 'GBP'
-- columns:
--   placed        VARCHAR  'dated': the award's date is in the window; 'year only': the source gives only a year, and it overlaps the window
--   award_date    DATE     the date that places the award: its award date, else its start date; empty for 'year only'
--   date_basis    VARCHAR  'award date', 'start date' or 'year only'
--   window_start  DATE     first day of the source's window
--   window_end    DATE     last day of the window: the source's as-of date (sources whose data end before the newest source's window are left out)
--   grant_id      VARCHAR
--   source        VARCHAR
--   funder        VARCHAR
--   programme     VARCHAR
--   year          INTEGER  year the money is counted in
--   title         VARCHAR
--   amount        DOUBLE   amount in the original currency (empty when the source gives none)
--   currency      VARCHAR  currency of amount
--   amount_cur    DOUBLE   amount converted to $currency (empty when not convertible)
--   ms_relevance  VARCHAR
--   url           VARCHAR
with awards as (
    select *
    from award_window_rows($f, $months)
),

final as (
    select
        placed,
        placed_on as award_date,
        date_basis,
        window_start,
        window_end,
        grant_id,
        source,
        funder,
        programme,
        cast(year as integer) as year,
        title,
        amount,
        currency,
        in_currency($currency, amount_eur, amount_usd, amount_gbp) as amount_cur,
        ms_relevance,
        url
    from awards
)

select * from final
order by placed, award_date desc nulls last, year desc, grant_id

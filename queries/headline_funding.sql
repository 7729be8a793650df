-- purpose: Headline funding for the current filters: individual awards only, programme totals apart.
-- params:
--   $f         STRUCT   filter state
--   $currency  VARCHAR  'EUR', 'USD' or 'GBP'
-- columns:
--   award_rows              BIGINT   award records (one per award or per NIH fiscal-year award)
--   awards_with_amount      BIGINT   award records that state an amount
--   awarded                 DOUBLE   sum of stated award amounts in $currency (never includes programme totals)
--   first_year              INTEGER  first year with an award amount
--   last_year               INTEGER  last year with an award amount
--   funders                 BIGINT   distinct funders of the awards
--   programme_rows          BIGINT   programme-total records (rounds, budgets), shown apart
--   programme_total         DOUBLE   sum of stated programme totals in $currency, NOT added to awarded
--   call_rows               BIGINT   announced calls (not money spent)
--   as_of_max               DATE     newest as-of date of the funding sources
with matching as (
    select
        *,
        in_currency($currency, amount_eur, amount_usd, amount_gbp) as amount_cur
    from filtered_grants($f)
),

final as (
    select
        count(*) filter (where record_type = 'award') as award_rows,
        count(amount_cur) filter (where record_type = 'award') as awards_with_amount,
        sum(amount_cur) filter (where record_type = 'award') as awarded,
        min(year) filter (where record_type = 'award' and amount_cur is not null) as first_year,
        max(year) filter (where record_type = 'award' and amount_cur is not null) as last_year,
        count(distinct funder) filter (where record_type = 'award') as funders,
        count(*) filter (where record_type = 'programme') as programme_rows,
        sum(amount_cur) filter (where record_type = 'programme') as programme_total,
        count(*) filter (where record_type = 'call') as call_rows,
        (select max(as_of) from grants) as as_of_max
    from matching
)

select * from final

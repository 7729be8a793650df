-- purpose: Which years each funder group has award amounts for (to show gaps as missing, not zero).
-- params:
--   $f  STRUCT  filter state
-- columns:
--   funder_group   VARCHAR  funder family
--   year           INTEGER  a year with at least one stated award amount
--   awards         BIGINT   award records with an amount in that year
with final as (
    select
        funder_group,
        year,
        count(*) as awards
    from filtered_grants($f)
    where record_type = 'award'
      and amount_eur is not null
      and year is not null
    group by funder_group, year
    order by funder_group, year
)

select * from final

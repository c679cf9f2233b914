#!/bin/sh
# Regenerate the README's images of the Maizuru case (../shared/cases/maizuru-2024-customer-harassment.md):
# the request form (様式第1号) and the partial-disclosure notice (様式第3号).
# Needs kaiji, IPAex Mincho (fonts-ipaexfont) and pdftoppm (poppler-utils). Run from the repository root.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KAIJI_DB="$work/demo.sqlite3"

kaiji body add maizuru-mayor --name 舞鶴市長 --head-name "鴨田 秋津" --jurisdiction maizuru
kaiji requester add 市民オンブズマンまいづる --group \
    --address "京都府舞鶴市喜多1105-40 (株)DIYSTYLE 内事務局" --phone 090-0000-0000 \
    --representative "森本 隆" --contact-name "森本 隆" --contact-phone 090-0000-0000
kaiji request add --body maizuru-mayor --received 2024-12-27 --requester 市民オンブズマンまいづる \
    --subject "舞鶴市が実施した「カスタマーハラスメント」アンケートの調査結果を請求します。" \
    --method copy --mail --reason 行政ハラスメントの調査のため
kaiji request decide 1 --kind partial --on 2025-01-10 --notified 2025-01-20 \
    --document カスタマーハラスメントに関するアンケート結果 \
    --disclosure-place 舞鶴市役所人事課 --disclosure-method copy \
    --withheld 店名の部分 --ground 第5条第2号 \
    --reason "法人その他の団体に関する情報又は事業を営む個人の当該事業に関する情報であって、当該法人等又は当該個人の権利、競争上の地位その他正当な利益を害するおそれがあるため" \
    --department 総務部人事課 --department-phone 0773-66-1066 --extension 1342 --fee 190

kaiji pdf request 1 -o "$work/request.pdf"
kaiji pdf notice 1 -o "$work/notice.pdf"
pdftoppm -png -r 80 -singlefile "$work/request.pdf" docs/images/maizuru-request
pdftoppm -png -r 80 -singlefile "$work/notice.pdf" docs/images/maizuru-partial-notice

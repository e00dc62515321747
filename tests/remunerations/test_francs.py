"""Amounts read one way everywhere, screens, PDFs and e-mails (issue 18, item 10): the screens
said "167 602 F" and the PDFs "F CFP"."""

from django.template import Context, Template

from remunerations.templatetags.francs import ecart, francs


def test_un_montant_se_lit_en_francs_cfp_avec_ses_milliers_separes():
    assert francs(167602) == "167\u202f602\u00a0F\u00a0CFP"
    assert francs(0) == "0\u00a0F\u00a0CFP"
    assert francs(None) == "—"


def test_un_ecart_porte_son_signe_et_son_unite():
    assert ecart(1200) == "+1\u202f200\u00a0F\u00a0CFP"
    assert ecart(-300) == "−300\u00a0F\u00a0CFP"
    assert ecart(0) == "0\u00a0F\u00a0CFP"


def test_les_gabarits_ecrivent_le_montant_ainsi():
    rendu = Template("{% load francs %}{{ montant|francs }}").render(Context({"montant": 3494128}))
    assert rendu == "3\u202f494\u202f128\u00a0F\u00a0CFP"

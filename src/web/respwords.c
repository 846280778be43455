/*
 * respwords.c - the resident's page's fixed words, one table a language
 *
 * Each table uses the words of its language's message templates
 * (templates/LOCALE/), so that the page and the messages it shows name
 * things alike: the request, the City's teams, the work. respwords.h
 * says what each word is for.
 */
#include "build.h"

#include <string.h>
#include <strings.h>

#include "respwords.h"
#include "vocab.h"

/* The words, a table per language; English first. */
static const struct respwords respwords_all[] = {
	{
		.locale = "en", .self = "English",
		.skip = "Skip to the content",
		.title = "Your request",
		.handled = "Handled by",
		.scheduled = "Scheduled for",
		.told = "What we told you",
		.by_email = "By email",
		.by_sms = "By text message",
		.notes = "Notes from the City",
		.photos = "Photos",
		.photo = "Photo",
		.original = "The same problem, reported earlier",
		.original_sr = "Request number",
		.original_news = "Latest news",
		.no_news = "No news yet",
		.about = "This page shows the messages we sent you about "
		    "this request, as they were sent.",
		.languages = "Languages",
		.not_found_title = "Page not found",
		.not_found = "This link does not work. Check that you "
		    "copied the whole link from the message.",
		.notice = {
			[VOCAB_NOTICE_RECEIVED] = "Request received",
			[VOCAB_NOTICE_ASSIGNED] = "A City team has your "
			    "request",
			[VOCAB_NOTICE_SCHEDULED] = "Work planned",
			[VOCAB_NOTICE_IN_PROGRESS] = "Work in progress",
			[VOCAB_NOTICE_TRANSFERRED] = "Moved to another City "
			    "team",
			[VOCAB_NOTICE_COMPLETED] = "Work done",
			[VOCAB_NOTICE_NO_ACTION] = "No work was needed",
			[VOCAB_NOTICE_DUPLICATE] = "Already reported",
			[VOCAB_NOTICE_CANCELLED] = "Request cancelled",
			[VOCAB_NOTICE_REOPENED] = "Request open again",
			[VOCAB_NOTICE_REFERRED_EXTERNAL] = "Another "
			    "organization handles this",
			[VOCAB_NOTICE_OVERDUE] = "Taking longer than usual",
			[VOCAB_NOTICE_FEEDBACK] = "We asked if it is fixed"
		}
	},
	{
		.locale = "fr", .self = "Français",
		.skip = "Aller au contenu",
		.title = "Votre demande",
		.handled = "Traitée par",
		.scheduled = "Date prévue",
		.told = "Ce que nous vous avons écrit",
		.by_email = "Par courriel",
		.by_sms = "Par texto",
		.notes = "Notes de la Ville",
		.photos = "Photos",
		.photo = "Photo",
		.original = "Le même problème, signalé plus tôt",
		.original_sr = "Numéro de demande",
		.original_news = "Dernières nouvelles",
		.no_news = "Aucune nouvelle pour l'instant",
		.about = "Cette page montre les messages que nous vous avons "
		    "envoyés au sujet de cette demande, tels qu'ils ont été "
		    "envoyés.",
		.languages = "Langues",
		.not_found_title = "Page introuvable",
		.not_found = "Ce lien ne fonctionne pas. Vérifiez que vous "
		    "avez copié le lien complet du message.",
		.notice = {
			[VOCAB_NOTICE_RECEIVED] = "Demande reçue",
			[VOCAB_NOTICE_ASSIGNED] = "Confiée à une équipe de "
			    "la Ville",
			[VOCAB_NOTICE_SCHEDULED] = "Travaux prévus",
			[VOCAB_NOTICE_IN_PROGRESS] = "Travaux en cours",
			[VOCAB_NOTICE_TRANSFERRED] = "Confiée à une autre "
			    "équipe",
			[VOCAB_NOTICE_COMPLETED] = "Travaux terminés",
			[VOCAB_NOTICE_NO_ACTION] = "Aucune intervention "
			    "nécessaire",
			[VOCAB_NOTICE_DUPLICATE] = "Problème déjà signalé",
			[VOCAB_NOTICE_CANCELLED] = "Demande annulée",
			[VOCAB_NOTICE_REOPENED] = "Demande rouverte",
			[VOCAB_NOTICE_REFERRED_EXTERNAL] = "Relève d'un "
			    "autre organisme",
			[VOCAB_NOTICE_OVERDUE] = "Plus long que d'habitude",
			[VOCAB_NOTICE_FEEDBACK] = "Nous avons demandé si "
			    "c'est réglé"
		}
	},
	{
		.locale = "es", .self = "Español",
		.skip = "Ir al contenido",
		.title = "Su solicitud",
		.handled = "A cargo de",
		.scheduled = "Fecha prevista",
		.told = "Lo que le dijimos",
		.by_email = "Por correo electrónico",
		.by_sms = "Por mensaje de texto",
		.notes = "Notas de la Ciudad",
		.photos = "Fotos",
		.photo = "Foto",
		.original = "El mismo problema, reportado antes",
		.original_sr = "Número de solicitud",
		.original_news = "Últimas noticias",
		.no_news = "Todavía no hay noticias",
		.about = "Esta página muestra los mensajes que le enviamos "
		    "sobre esta solicitud, tal como se enviaron.",
		.languages = "Idiomas",
		.not_found_title = "Página no encontrada",
		.not_found = "Este enlace no funciona. Revise que haya "
		    "copiado el enlace completo del mensaje.",
		.notice = {
			[VOCAB_NOTICE_RECEIVED] = "Solicitud recibida",
			[VOCAB_NOTICE_ASSIGNED] = "Un equipo de la Ciudad "
			    "tiene su solicitud",
			[VOCAB_NOTICE_SCHEDULED] = "Trabajo planeado",
			[VOCAB_NOTICE_IN_PROGRESS] = "Trabajo en curso",
			[VOCAB_NOTICE_TRANSFERRED] = "Pasó a otro equipo de "
			    "la Ciudad",
			[VOCAB_NOTICE_COMPLETED] = "Trabajo terminado",
			[VOCAB_NOTICE_NO_ACTION] = "No hacía falta ningún "
			    "trabajo",
			[VOCAB_NOTICE_DUPLICATE] = "Problema ya reportado",
			[VOCAB_NOTICE_CANCELLED] = "Solicitud cancelada",
			[VOCAB_NOTICE_REOPENED] = "Solicitud abierta de nuevo",
			[VOCAB_NOTICE_REFERRED_EXTERNAL] = "Otra "
			    "organización se ocupa de esto",
			[VOCAB_NOTICE_OVERDUE] = "Tarda más de lo habitual",
			[VOCAB_NOTICE_FEEDBACK] = "Le preguntamos si está "
			    "resuelto"
		}
	},
	{
		.locale = "pt", .self = "Português",
		.skip = "Pular para o conteúdo",
		.title = "Seu pedido",
		.handled = "Responsável",
		.scheduled = "Data agendada",
		.told = "O que dissemos a você",
		.by_email = "Por e-mail",
		.by_sms = "Por SMS",
		.notes = "Observações da Prefeitura",
		.photos = "Fotos",
		.photo = "Foto",
		.original = "O mesmo problema, informado antes",
		.original_sr = "Número do pedido",
		.original_news = "Últimas notícias",
		.no_news = "Ainda não há notícias",
		.about = "Esta página mostra as mensagens que enviamos a "
		    "você sobre este pedido, exatamente como foram enviadas.",
		.languages = "Idiomas",
		.not_found_title = "Página não encontrada",
		.not_found = "Este link não funciona. Confira se você copiou "
		    "o link completo da mensagem.",
		.notice = {
			[VOCAB_NOTICE_RECEIVED] = "Pedido recebido",
			[VOCAB_NOTICE_ASSIGNED] = "Uma equipe da Prefeitura "
			    "está com seu pedido",
			[VOCAB_NOTICE_SCHEDULED] = "Serviço agendado",
			[VOCAB_NOTICE_IN_PROGRESS] = "Serviço em andamento",
			[VOCAB_NOTICE_TRANSFERRED] = "Passou para outra "
			    "equipe da Prefeitura",
			[VOCAB_NOTICE_COMPLETED] = "Serviço concluído",
			[VOCAB_NOTICE_NO_ACTION] = "Nenhum serviço foi "
			    "necessário",
			[VOCAB_NOTICE_DUPLICATE] = "Problema já informado",
			[VOCAB_NOTICE_CANCELLED] = "Pedido cancelado",
			[VOCAB_NOTICE_REOPENED] = "Pedido reaberto",
			[VOCAB_NOTICE_REFERRED_EXTERNAL] = "Outra "
			    "organização cuida disso",
			[VOCAB_NOTICE_OVERDUE] = "Demorando mais do que o "
			    "normal",
			[VOCAB_NOTICE_FEEDBACK] = "Perguntamos se foi "
			    "resolvido"
		}
	},
	{
		.locale = "fa", .self = "فارسی",
		.skip = "رفتن به محتوا",
		.title = "درخواست شما",
		.handled = "مسئول رسیدگی",
		.scheduled = "تاریخ برنامه‌ریزی‌شده",
		.told = "آنچه به شما گفتیم",
		.by_email = "با ایمیل",
		.by_sms = "با پیامک",
		.notes = "یادداشت‌های شهرداری",
		.photos = "عکس‌ها",
		.photo = "عکس",
		.original = "همین مشکل که پیش‌تر گزارش شده است",
		.original_sr = "شماره درخواست",
		.original_news = "آخرین خبر",
		.no_news = "هنوز خبری نیست",
		.about = "این صفحه پیام‌هایی را که درباره این درخواست "
		    "برایتان فرستادیم، همان‌گونه که فرستاده شدند، نشان "
		    "می‌دهد.",
		.languages = "زبان‌ها",
		.not_found_title = "صفحه پیدا نشد",
		.not_found = "این پیوند کار نمی‌کند. بررسی کنید که کل پیوند "
		    "را از پیام کپی کرده باشید.",
		.notice = {
			[VOCAB_NOTICE_RECEIVED] = "درخواست دریافت شد",
			[VOCAB_NOTICE_ASSIGNED] = "به کارکنان شهرداری سپرده "
			    "شد",
			[VOCAB_NOTICE_SCHEDULED] = "کار برنامه‌ریزی شد",
			[VOCAB_NOTICE_IN_PROGRESS] = "کار در حال انجام است",
			[VOCAB_NOTICE_TRANSFERRED] = "به تیم دیگری از "
			    "شهرداری سپرده شد",
			[VOCAB_NOTICE_COMPLETED] = "کار انجام شد",
			[VOCAB_NOTICE_NO_ACTION] = "نیازی به انجام کار نبود",
			[VOCAB_NOTICE_DUPLICATE] = "این مشکل قبلاً گزارش شده "
			    "است",
			[VOCAB_NOTICE_CANCELLED] = "درخواست لغو شد",
			[VOCAB_NOTICE_REOPENED] = "درخواست دوباره باز شد",
			[VOCAB_NOTICE_REFERRED_EXTERNAL] = "مربوط به سازمان "
			    "دیگری است",
			[VOCAB_NOTICE_OVERDUE] = "بیش از معمول طول کشیده است",
			[VOCAB_NOTICE_FEEDBACK] = "پرسیدیم آیا مشکل برطرف "
			    "شد"
		}
	},
	{
		.locale = "zh-Hans", .self = "简体中文",
		.skip = "跳到正文",
		.title = "您的请求",
		.handled = "负责部门",
		.scheduled = "计划日期",
		.told = "我们发给您的消息",
		.by_email = "通过电子邮件",
		.by_sms = "通过短信",
		.notes = "市政府的说明",
		.photos = "照片",
		.photo = "照片",
		.original = "之前报告的同一问题",
		.original_sr = "请求编号",
		.original_news = "最新消息",
		.no_news = "暂无消息",
		.about = "本页按原样显示我们就此请求发给您的消息。",
		.languages = "语言",
		.not_found_title = "找不到页面",
		.not_found = "此链接无效。请检查您是否从消息中复制了完整的链接。",
		.notice = {
			[VOCAB_NOTICE_RECEIVED] = "已收到请求",
			[VOCAB_NOTICE_ASSIGNED] = "已交给市政工作人员",
			[VOCAB_NOTICE_SCHEDULED] = "工作已安排",
			[VOCAB_NOTICE_IN_PROGRESS] = "工作正在进行",
			[VOCAB_NOTICE_TRANSFERRED] = "已转交给另一个市政团队",
			[VOCAB_NOTICE_COMPLETED] = "工作已完成",
			[VOCAB_NOTICE_NO_ACTION] = "不需要进行任何工作",
			[VOCAB_NOTICE_DUPLICATE] = "这个问题已有人报告",
			[VOCAB_NOTICE_CANCELLED] = "请求已取消",
			[VOCAB_NOTICE_REOPENED] = "请求已重新打开",
			[VOCAB_NOTICE_REFERRED_EXTERNAL] = "由其他机构负责",
			[VOCAB_NOTICE_OVERDUE] = "处理时间比平常长",
			[VOCAB_NOTICE_FEEDBACK] = "询问问题是否已解决"
		}
	}
};

#define RESPWORDS_N	(sizeof respwords_all / sizeof respwords_all[0])

/* The languages written right to left, and the scripts. */
static const char *const respwords_rtl_languages[] = {
	"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "syr",
	"ug", "ur", "yi"
};
static const char *const respwords_rtl_scripts[] = {
	"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm"
};

/* Return the words of exactly locale (any case), or NULL. */
static const struct respwords *
respwords_exact(const char *locale, size_t len)
{
	size_t	 i;

	for (i = 0; i < RESPWORDS_N; i++)
		if (strlen(respwords_all[i].locale) == len &&
		    strncasecmp(respwords_all[i].locale, locale, len) == 0)
			return &respwords_all[i];
	return NULL;
}

/* Find the words of a locale along its BCP 47 chain. */
const struct respwords *
respwords_find(const char *locale)
{
	const struct respwords	*w;
	size_t			 len;

	if (locale == NULL)
		return NULL;
	for (len = strlen(locale); len > 0; len--) {
		if (locale[len] != '\0' && locale[len] != '-')
			continue;
		if ((w = respwords_exact(locale, len)) != NULL)
			return w;
	}
	return NULL;
}

/* Return the words for a locale, else the fallback's, else English. */
const struct respwords *
respwords_get(const char *locale, const char *fallback)
{
	const struct respwords	*w;

	if ((w = respwords_find(locale)) == NULL &&
	    (w = respwords_find(fallback)) == NULL)
		w = &respwords_all[0];
	return w;
}

/* Return how many languages have words. */
size_t
respwords_count(void)
{
	return RESPWORDS_N;
}

/* Return the i-th language's words. */
const struct respwords *
respwords_at(size_t i)
{
	return i < RESPWORDS_N ? &respwords_all[i] : NULL;
}

/* Return a notice's name in a language. */
const char *
respwords_notice(const struct respwords *w, const char *notice)
{
	enum vocab_notice	 n;

	if (notice == NULL || (n = vocab_notice_parse(notice)) ==
	    VOCAB_NOTICE_NONE || w->notice[n] == NULL)
		return "";
	return w->notice[n];
}

/* Return 1 if the len bytes at p are one of the n names of list. */
static int
respwords_in(const char *p, size_t len, const char *const *list, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && strncasecmp(list[i], p, len) == 0)
			return 1;
	return 0;
}

/* Return the direction a locale's language is written in. */
const char *
respwords_dir(const char *locale)
{
	const char	*script;
	size_t		 len;

	if (locale == NULL)
		return "ltr";
	len = strcspn(locale, "-");
	/* A script subtag ("ku-Arab", "az-Latn") decides, else the language. */
	script = locale[len] == '-' ? locale + len + 1 : NULL;
	if (script != NULL && strcspn(script, "-") == 4)
		return respwords_in(script, 4, respwords_rtl_scripts,
		    sizeof respwords_rtl_scripts /
		    sizeof respwords_rtl_scripts[0]) ? "rtl" : "ltr";
	return respwords_in(locale, len, respwords_rtl_languages,
	    sizeof respwords_rtl_languages /
	    sizeof respwords_rtl_languages[0]) ? "rtl" : "ltr";
}

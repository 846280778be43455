/*
 * answerwords.c - the words of the answer page, one table a language
 *
 * The choices say what the email's links say, and the thanks what
 * thanks.sms says, in each language (templates/LOCALE/).
 */
#include "build.h"

#include <string.h>

#include "answerwords.h"

static const struct answerwords answerwords_table[] = {
	{
		.locale = "en", .dir = "ltr",
		.title = "Is the problem fixed?",
		.request = "Request number",
		.intro = "Please confirm your answer. You can add a comment "
		    "for the team that did the work.",
		.answer = {
			[QUESTION_FIXED] = "Yes, it is fixed",
			[QUESTION_NOT_FIXED] = "No, it is not fixed",
			[QUESTION_PARTLY] = "It is only partly fixed"
		},
		.comment = "Comment (optional)",
		.send = "Send my answer",
		.current = "Your answer so far:",
		.until = "You can change it until",
		.thanks = "Thank you",
		.thanked = {
			[QUESTION_FIXED] = "We are glad the problem is fixed.",
			[QUESTION_NOT_FIXED] = "We have told the team that "
			    "the problem is not fixed.",
			[QUESTION_PARTLY] = "We have told the team that the "
			    "problem is only partly fixed."
		},
		.closed_title = "This question is closed",
		.closed = "Answers to this question are no longer taken. If "
		    "the problem is not fixed, call 311 and give your request "
		    "number.",
		.later_title = "Please try again later",
		.later = "Your answer could not be saved just now. Please try "
		    "again in a few minutes."
	},
	{
		.locale = "fr", .dir = "ltr",
		.title = "Le problème est-il réglé ?",
		.request = "Numéro de demande",
		.intro = "Veuillez confirmer votre réponse. Vous pouvez ajouter "
		    "un commentaire pour l'équipe qui a fait les travaux.",
		.answer = {
			[QUESTION_FIXED] = "Oui, c'est réglé",
			[QUESTION_NOT_FIXED] = "Non, ce n'est pas réglé",
			[QUESTION_PARTLY] = "C'est réglé en partie seulement"
		},
		.comment = "Commentaire (facultatif)",
		.send = "Envoyer ma réponse",
		.current = "Votre réponse pour l'instant :",
		.until = "Vous pouvez la changer jusqu'au",
		.thanks = "Merci",
		.thanked = {
			[QUESTION_FIXED] = "Nous sommes heureux que le "
			    "problème soit réglé.",
			[QUESTION_NOT_FIXED] = "Nous avons signalé à l'équipe "
			    "que le problème n'est pas réglé.",
			[QUESTION_PARTLY] = "Nous avons signalé à l'équipe "
			    "que le problème n'est réglé qu'en partie."
		},
		.closed_title = "Cette question est close",
		.closed = "Les réponses à cette question ne sont plus "
		    "acceptées. Si le problème n'est pas réglé, composez le "
		    "311 et donnez votre numéro de demande.",
		.later_title = "Veuillez réessayer plus tard",
		.later = "Votre réponse n'a pas pu être enregistrée pour "
		    "l'instant. Veuillez réessayer dans quelques minutes."
	},
	{
		.locale = "es", .dir = "ltr",
		.title = "¿Se resolvió el problema?",
		.request = "Número de solicitud",
		.intro = "Confirme su respuesta. Puede agregar un comentario "
		    "para el equipo que hizo el trabajo.",
		.answer = {
			[QUESTION_FIXED] = "Sí, está resuelto",
			[QUESTION_NOT_FIXED] = "No, no está resuelto",
			[QUESTION_PARTLY] = "Está resuelto solo en parte"
		},
		.comment = "Comentario (opcional)",
		.send = "Enviar mi respuesta",
		.current = "Su respuesta hasta ahora:",
		.until = "Puede cambiarla hasta el",
		.thanks = "Gracias",
		.thanked = {
			[QUESTION_FIXED] = "Nos alegra que el problema esté "
			    "resuelto.",
			[QUESTION_NOT_FIXED] = "Avisamos al equipo que el "
			    "problema no está resuelto.",
			[QUESTION_PARTLY] = "Avisamos al equipo que el "
			    "problema está resuelto solo en parte."
		},
		.closed_title = "Esta pregunta está cerrada",
		.closed = "Ya no se aceptan respuestas a esta pregunta. Si el "
		    "problema no está resuelto, llame al 311 y dé su número "
		    "de solicitud.",
		.later_title = "Inténtelo de nuevo más tarde",
		.later = "No pudimos guardar su respuesta en este momento. "
		    "Inténtelo de nuevo en unos minutos."
	},
	{
		.locale = "pt", .dir = "ltr",
		.title = "O problema foi resolvido?",
		.request = "Número do pedido",
		.intro = "Confirme sua resposta. Você pode deixar um "
		    "comentário para a equipe que fez o serviço.",
		.answer = {
			[QUESTION_FIXED] = "Sim, foi resolvido",
			[QUESTION_NOT_FIXED] = "Não, o problema continua",
			[QUESTION_PARTLY] = "Foi resolvido só em parte"
		},
		.comment = "Comentário (opcional)",
		.send = "Enviar minha resposta",
		.current = "Sua resposta até agora:",
		.until = "Você pode mudá-la até",
		.thanks = "Obrigado",
		.thanked = {
			[QUESTION_FIXED] = "Que bom que o problema foi "
			    "resolvido.",
			[QUESTION_NOT_FIXED] = "Avisamos a equipe que o "
			    "problema continua.",
			[QUESTION_PARTLY] = "Avisamos a equipe que o problema "
			    "foi resolvido só em parte."
		},
		.closed_title = "Esta pergunta foi encerrada",
		.closed = "Não aceitamos mais respostas a esta pergunta. Se o "
		    "problema não foi resolvido, ligue para o 311 e informe o "
		    "número do seu pedido.",
		.later_title = "Tente de novo mais tarde",
		.later = "Não foi possível salvar sua resposta agora. Tente de "
		    "novo em alguns minutos."
	},
	{
		.locale = "fa", .dir = "rtl",
		.title = "آیا مشکل برطرف شد؟",
		.request = "شماره درخواست",
		.intro = "لطفاً پاسخ خود را تأیید کنید. می‌توانید برای گروهی "
		    "که کار را انجام داد توضیحی بنویسید.",
		.answer = {
			[QUESTION_FIXED] = "بله، برطرف شد",
			[QUESTION_NOT_FIXED] = "نه، برطرف نشد",
			[QUESTION_PARTLY] = "فقط تا حدی برطرف شد"
		},
		.comment = "توضیح (اختیاری)",
		.send = "پاسخ من را بفرستید",
		.current = "پاسخ شما تا اینجا:",
		.until = "تا این تاریخ می‌توانید آن را تغییر دهید:",
		.thanks = "سپاسگزاریم",
		.thanked = {
			[QUESTION_FIXED] = "خوشحالیم که مشکل برطرف شد.",
			[QUESTION_NOT_FIXED] = "به گروه کار گفتیم که مشکل "
			    "برطرف نشده است.",
			[QUESTION_PARTLY] = "به گروه کار گفتیم که مشکل فقط تا "
			    "حدی برطرف شده است."
		},
		.closed_title = "این پرسش بسته شده است",
		.closed = "دیگر به این پرسش پاسخی پذیرفته نمی‌شود. اگر مشکل "
		    "برطرف نشده است، با ۳۱۱ تماس بگیرید و شماره درخواست خود را "
		    "بگویید.",
		.later_title = "لطفاً بعداً دوباره امتحان کنید",
		.later = "پاسخ شما اکنون ذخیره نشد. لطفاً چند دقیقه دیگر دوباره "
		    "امتحان کنید."
	},
	{
		.locale = "zh-Hans", .dir = "ltr",
		.title = "问题解决了吗？",
		.request = "请求编号",
		.intro = "请确认您的回答。您可以给完成工作的团队留言。",
		.answer = {
			[QUESTION_FIXED] = "已解决",
			[QUESTION_NOT_FIXED] = "未解决",
			[QUESTION_PARTLY] = "只解决了一部分"
		},
		.comment = "留言（可选）",
		.send = "提交回答",
		.current = "您目前的回答：",
		.until = "您可以在此日期前修改：",
		.thanks = "谢谢",
		.thanked = {
			[QUESTION_FIXED] = "很高兴问题已解决。",
			[QUESTION_NOT_FIXED] = "我们已告知工作团队问题未解决。",
			[QUESTION_PARTLY] = "我们已告知工作团队问题只解决了一"
			    "部分。"
		},
		.closed_title = "此问题已关闭",
		.closed = "此问题已不再接受回答。如果问题没有解决，请拨打311"
		    "并提供您的请求编号。",
		.later_title = "请稍后再试",
		.later = "您的回答暂时无法保存，请几分钟后再试。"
	}
};

#define ANSWERWORDS_N	(sizeof answerwords_table / sizeof answerwords_table[0])

/* Return the words for locale along its chain, else English's. */
const struct answerwords *
answerwords_get(const char *locale)
{
	char	tag[36], *dash;
	size_t	i;

	if (locale == NULL || strlen(locale) >= sizeof tag)
		return &answerwords_table[0];
	strcpy(tag, locale);
	for (;;) {
		for (i = 0; i < ANSWERWORDS_N; i++) {
			if (strcmp(answerwords_table[i].locale, tag) == 0)
				return &answerwords_table[i];
		}
		if ((dash = strrchr(tag, '-')) == NULL)
			return &answerwords_table[0];
		*dash = '\0';
	}
}

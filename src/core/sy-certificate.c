/* sy-certificate.c — a PDF certificate for a completed course
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The certificate is printed on whatever the township clinic has, often a cheap
 * black-and-white laser printer: thin rules, grey rather than colour, no large dark
 * areas. Text goes through Pango so Chinese names and titles render with a CJK font.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <pango/pangocairo.h>
#include <qrencode.h>

#include "sy-certificate.h"
#include "sy-i18n.h"
#include "sy-pdf-private.h"

G_DEFINE_QUARK (sy-certificate-error-quark, sy_certificate_error)

#define MM(x) ((x) * 72.0 / 25.4)

/* A4 landscape, in PDF points */
#define PAGE_WIDTH  MM (297.0)
#define PAGE_HEIGHT MM (210.0)

#define BORDER_OUTER  MM (10.0)
#define BORDER_INNER  MM (11.5)
/* Where text may go: well inside the border, so nothing touches it */
#define CONTENT_INSET MM (22.0)

#define QR_SIZE       MM (35.0)
#define QR_QUIET      4   /* modules of white around the symbol, as ISO/IEC 18004 asks */

#define FONT_FAMILY "Noto Sans CJK SC, Noto Sans, Sans"

/* Near-black for the main text and mid-grey for the labels: both print cleanly as solid
 * or finely dithered toner, and the grey keeps the learner's name and the course as the
 * things the eye lands on. */
#define INK       0.10
#define INK_LIGHT 0.38

/* Crockford's base32: no I, L, O or U, so a code read over a bad phone line cannot be
 * confused with 1, 0 or V, and it cannot spell most rude words. */
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * sy_certificate_make_code:
 * @statement_id: the id of the xAPI statement that recorded the completion
 * @learner_uuid: the learner's uuid
 * @course_id: the course id
 *
 * Makes the verification code printed on a certificate, which a coordinator can read over
 * the phone and check against the records by making it again from them.
 *
 * The code is the SHA-256 digest of `"shuyuan-certificate\n" statement_id "\n"
 * learner_uuid "\n" course_id`, its first 60 bits written in Crockford base32
 * (`0-9 A-Z` without I, L, O, U; most significant bits first) as 12 characters grouped
 * `XXXX-XXXX-XXXX`. It is deterministic: the same three strings always give the same
 * code, on every machine and in every version, because printed certificates keep it.
 *
 * Returns: (transfer full): the code, e.g. "7G3K-Q0ZD-M2XA"
 */
char *
sy_certificate_make_code (const char *statement_id,
                          const char *learner_uuid,
                          const char *course_id)
{
  g_autoptr(GChecksum) checksum = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  GString *code;

  g_return_val_if_fail (statement_id != NULL, NULL);
  g_return_val_if_fail (learner_uuid != NULL, NULL);
  g_return_val_if_fail (course_id != NULL, NULL);

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) "shuyuan-certificate\n", -1);
  g_checksum_update (checksum, (const guchar *) statement_id, -1);
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  g_checksum_update (checksum, (const guchar *) learner_uuid, -1);
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  g_checksum_update (checksum, (const guchar *) course_id, -1);
  g_checksum_get_digest (checksum, digest, &digest_len);
  g_assert (digest_len == sizeof digest);

  code = g_string_sized_new (15);
  for (guint i = 0; i < 12; i++)
    {
      guint bit = i * 5;
      /* the 5 bits may straddle two bytes; 60 bits never reach past byte 8 */
      guint window = (digest[bit / 8] << 8) | digest[bit / 8 + 1];
      guint value = (window >> (11 - bit % 8)) & 0x1f;

      if (i > 0 && i % 4 == 0)
        g_string_append_c (code, '-');
      g_string_append_c (code, crockford[value]);
    }

  return g_string_free (code, FALSE);
}

/* To two decimals, like the app's sy-format.c. The core does not link libm for this:
 * the cast truncates towards zero, and the clamp keeps it defined for absurd values. */
static double
round_hundredths (double value)
{
  value = CLAMP (value, -1e12, 1e12);
  return (double) (gint64) (value * 100 + (value < 0 ? -0.5 : 0.5)) / 100;
}

/* Class hours and credits are often fractional (0.5 credit), but plural rules want an
 * integer. English (and most languages) put fractions in the plural, so a fraction counts
 * as at least 2. (The same rule as the app's sy-format.c, which the core cannot use.) */
static gulong
plural_count (double value)
{
  double rounded = round_hundredths (value);
  gulong whole;

  if (rounded <= 0)
    return 0;
  whole = (gulong) rounded;
  if (rounded == (double) whole)
    return whole;
  return MAX (2, whole + 1);
}

/* "%g" drops a useless ".0" and keeps "1.5", in the user's locale. */
static char *
format_number (double value)
{
  return g_strdup_printf ("%g", round_hundredths (value));
}

static char *
format_hours_and_credits (double class_hours,
                          double credits)
{
  g_autofree char *hours_number = format_number (class_hours);
  g_autofree char *credits_number = NULL;
  g_autofree char *hours = NULL;
  g_autofree char *credits_text = NULL;

  /* Translators: %s is a number of class hours, e.g. "3" or "1.5" */
  hours = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s class hour", "%s class hours",
                                        plural_count (class_hours)),
                           hours_number);
  if (credits <= 0)
    return g_steal_pointer (&hours);

  credits_number = format_number (credits);
  /* Translators: %s is a number of continuing-education credits, e.g. "1" or "0.5" */
  credits_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s credit", "%s credits",
                                               plural_count (credits)),
                                  credits_number);
  /* Translators: the class hours and the credits of a course: "3 class hours · 1 credit" */
  return g_strdup_printf (_("%s · %s"), hours, credits_text);
}

typedef struct
{
  const char  *text;
  double       size;       /* in points */
  double       min_size;   /* shrink no further than this; then cut with "…" */
  int          max_lines;
  PangoWeight  weight;
  double       tracking;   /* extra space between letters, in points */
  double       gray;
  double       space_before;
} TextStyle;

/* Lays @style's text out @width wide, centred. If it takes more than max_lines lines it
 * shrinks step by step down to min_size, and if even that is too long it is cut with "…"
 * after max_lines lines: a long name or title can never run off the page. @scale shrinks
 * everything at once when the whole middle of the page does not fit its height. */
static PangoLayout *
make_layout (PangoContext    *context,
             const TextStyle *style,
             double           width,
             double           scale)
{
  PangoLayout *layout = pango_layout_new (context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT_FAMILY);
  double size = style->size * scale;
  double min_size = MIN (style->min_size * scale, size);

  pango_layout_set_text (layout, style->text, -1);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_font_description_set_weight (font, style->weight);
  if (style->tracking > 0)
    {
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_letter_spacing_new (style->tracking * scale *
                                                                    PANGO_SCALE));
      pango_layout_set_attributes (layout, attrs);
    }

  for (;;)
    {
      /* absolute: one unit is one PDF point, whatever the font map's resolution */
      pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
      pango_layout_set_font_description (layout, font);
      if (pango_layout_get_line_count (layout) <= style->max_lines || size <= min_size)
        break;
      size = MAX (size * 0.92, min_size);
    }

  if (pango_layout_get_line_count (layout) > style->max_lines)
    {
      pango_layout_set_height (layout, -style->max_lines);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }

  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  return (double) logical.height / PANGO_SCALE;
}

static void
show_layout (cairo_t     *cr,
             PangoLayout *layout,
             double       x,
             double       y,
             double       gray)
{
  cairo_save (cr);
  cairo_set_source_rgb (cr, gray, gray, gray);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
}

/* Two thin rules and small corner marks: it reads as a certificate without the heavy
 * ornament a cheap printer would smear. */
static void
draw_border (cairo_t *cr)
{
  double corner = MM (8.0);
  double inset = BORDER_INNER + MM (2.0);

  cairo_save (cr);
  cairo_set_source_rgb (cr, INK, INK, INK);

  cairo_set_line_width (cr, 1.2);
  cairo_rectangle (cr, BORDER_OUTER, BORDER_OUTER,
                   PAGE_WIDTH - 2 * BORDER_OUTER, PAGE_HEIGHT - 2 * BORDER_OUTER);
  cairo_stroke (cr);

  cairo_set_line_width (cr, 0.4);
  cairo_rectangle (cr, BORDER_INNER, BORDER_INNER,
                   PAGE_WIDTH - 2 * BORDER_INNER, PAGE_HEIGHT - 2 * BORDER_INNER);
  cairo_stroke (cr);

  /* an L in each corner, just inside the inner rule */
  for (guint i = 0; i < 4; i++)
    {
      double x = (i & 1) ? PAGE_WIDTH - inset : inset;
      double y = (i & 2) ? PAGE_HEIGHT - inset : inset;
      double dx = (i & 1) ? -corner : corner;
      double dy = (i & 2) ? -corner : corner;

      cairo_move_to (cr, x + dx, y);
      cairo_line_to (cr, x, y);
      cairo_line_to (cr, x, y + dy);
    }
  cairo_set_line_width (cr, 0.8);
  cairo_stroke (cr);

  cairo_restore (cr);
}

/* A short rule with a small diamond in the middle, under the title. */
static void
draw_ornament (cairo_t *cr,
               double   cx,
               double   y)
{
  double half = MM (30.0);
  double d = 2.4;

  cairo_save (cr);
  cairo_set_source_rgb (cr, INK_LIGHT, INK_LIGHT, INK_LIGHT);
  cairo_set_line_width (cr, 0.6);
  cairo_move_to (cr, cx - half, y);
  cairo_line_to (cr, cx - 3 * d, y);
  cairo_move_to (cr, cx + 3 * d, y);
  cairo_line_to (cr, cx + half, y);
  cairo_stroke (cr);

  cairo_move_to (cr, cx, y - d);
  cairo_line_to (cr, cx + d, y);
  cairo_line_to (cr, cx, y + d);
  cairo_line_to (cr, cx - d, y);
  cairo_close_path (cr);
  cairo_fill (cr);
  cairo_restore (cr);
}

/* Draws @qr with its dark modules @module wide, the top left dark corner at @x, @y (the
 * quiet zone is the caller's blank space around it). Each run of dark modules in a row
 * is one rectangle, so no hairline seams show between neighbours in a viewer. */
static void
draw_qr (cairo_t      *cr,
         const QRcode *qr,
         double        x,
         double        y,
         double        module)
{
  cairo_save (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (int row = 0; row < qr->width; row++)
    {
      const unsigned char *data = qr->data + row * qr->width;
      int col = 0;

      while (col < qr->width)
        {
          int start = col;

          if (!(data[col] & 1))
            {
              col++;
              continue;
            }
          while (col < qr->width && (data[col] & 1))
            col++;
          cairo_rectangle (cr, x + start * module, y + row * module,
                           (col - start) * module, module);
        }
    }
  cairo_fill (cr);
  cairo_restore (cr);
}

static gboolean
draw_certificate (cairo_t                 *cr,
                  const SyCertificateInfo *info)
{
  PangoContext *context;
  g_autoptr(GPtrArray) middle = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDateTime) local = g_date_time_to_local (info->completed);
  g_autofree char *date = g_date_time_format (local, "%Y-%m-%d");
  g_autofree char *completed = NULL;
  g_autofree char *registration = NULL;
  g_autofree char *hours = NULL;
  g_autofree char *qr_text = NULL;
  g_autoptr(PangoLayout) title = NULL;
  g_autoptr(PangoLayout) code = NULL;
  g_autoptr(PangoLayout) code_label = NULL;
  g_autoptr(PangoLayout) issuer = NULL;
  g_autoptr(PangoLayout) completed_layout = NULL;
  const char *title_text;
  gboolean han_title;
  gboolean has_programme = info->programme != NULL && info->programme[0] != '\0';
  double left = CONTENT_INSET;
  double right = PAGE_WIDTH - CONTENT_INSET;
  double bottom = PAGE_HEIGHT - CONTENT_INSET;
  double text_width = right - left;
  double side_width = MM (80.0);
  double y, top, available, total = 0, scale;
  double module, symbol, qr_x, qr_y, code_y;
  TextStyle styles[7];
  guint n_styles = 0;
  QRcode *qr;

  qr_text = g_strdup_printf ("SHUYUAN-CERT:%s", info->verification_code);
  qr = QRcode_encodeString8bit (qr_text, 0, QR_ECLEVEL_M);
  if (qr == NULL)
    return FALSE;

  context = pango_cairo_create_context (cr);
  /* Glyph positions rounded to whole points would make uneven letter spacing in print */
  pango_context_set_round_glyph_positions (context, FALSE);

  draw_border (cr);

  /* Translators: the title of a course certificate (结业证书) */
  title_text = _("Certificate of Completion");
  /* A Chinese title is traditionally set with wide gaps between its characters; letters
   * only want a little air. */
  han_title = g_unichar_get_script (g_utf8_get_char (title_text)) == G_UNICODE_SCRIPT_HAN;
  title = make_layout (context, &(TextStyle) {
                         .text = title_text, .size = 30, .min_size = 18, .max_lines = 1,
                         .weight = PANGO_WEIGHT_BOLD, .tracking = han_title ? 12 : 1.5,
                       },
                       text_width, 1.0);
  /* a little higher than the inset: the line box has room above the letters */
  y = CONTENT_INSET - MM (2.0);
  show_layout (cr, title, left, y, INK);
  y += layout_height (title) + MM (4.0);
  draw_ornament (cr, PAGE_WIDTH / 2, y);
  top = y + MM (5.0);

  /* The bottom left corner: the QR code, which is QR_SIZE wide with its quiet zone, and
   * the code under it for people without a phone. The dark modules line up with the
   * text's margin; the quiet zone lies in the blank margin around them. */
  module = QR_SIZE / (qr->width + 2 * QR_QUIET);
  symbol = module * qr->width;
  code_label = make_layout (context, &(TextStyle) {
                              /* Translators: a label under the certificate's QR code, over
                               * a code such as 7G3K-Q0ZD-M2XA (验证码) */
                              .text = _("Verification code"), .size = 8, .min_size = 6,
                              .max_lines = 1, .weight = PANGO_WEIGHT_NORMAL,
                            },
                            QR_SIZE, 1.0);
  code = make_layout (context, &(TextStyle) {
                        .text = info->verification_code, .size = 10, .min_size = 6,
                        .max_lines = 1, .weight = PANGO_WEIGHT_BOLD,
                      },
                      QR_SIZE, 1.0);
  /* the label stays out of the quiet zone, which scanners need clear */
  code_y = bottom - layout_height (code);
  qr_x = left;
  qr_y = code_y - layout_height (code_label) - QR_QUIET * module - symbol;
  draw_qr (cr, qr, qr_x, qr_y, module);
  show_layout (cr, code_label, qr_x + symbol / 2 - QR_SIZE / 2, code_y - layout_height (code_label),
               INK_LIGHT);
  show_layout (cr, code, qr_x + symbol / 2 - QR_SIZE / 2, code_y, INK);
  QRcode_free (qr);

  /* The bottom right corner: the issuer over the date, where a Chinese certificate
   * carries its seal. */
  /* Translators: %s is the date the course was completed, as 2026-03-14 */
  completed = g_strdup_printf (_("Completed on %s"), date);
  completed_layout = make_layout (context, &(TextStyle) {
                                    .text = completed, .size = 12, .min_size = 8,
                                    .max_lines = 1, .weight = PANGO_WEIGHT_NORMAL,
                                  },
                                  side_width, 1.0);
  y = bottom - layout_height (completed_layout);
  show_layout (cr, completed_layout, right - side_width, y, INK);
  if (info->issuer != NULL && info->issuer[0] != '\0')
    {
      issuer = make_layout (context, &(TextStyle) {
                              .text = info->issuer, .size = 14, .min_size = 10,
                              .max_lines = 2, .weight = PANGO_WEIGHT_BOLD,
                            },
                            side_width, 1.0);
      show_layout (cr, issuer, right - side_width, y - layout_height (issuer) - MM (1.5), INK);
    }

  /* The middle: who completed what, centred between the ornament and the top of the
   * QR code. */
  if (info->external_id != NULL && info->external_id[0] != '\0')
    /* Translators: %s is e.g. a village doctor's registration number */
    registration = g_strdup_printf (_("Registration number: %s"), info->external_id);
  hours = format_hours_and_credits (info->class_hours, info->credits);

  styles[n_styles++] = (TextStyle) {
    /* Translators: on a certificate, before the learner's name (in Chinese, 兹证明) */
    .text = _("This certifies that"), .size = 14, .min_size = 10, .max_lines = 2,
    .weight = PANGO_WEIGHT_NORMAL, .gray = INK_LIGHT,
  };
  styles[n_styles++] = (TextStyle) {
    .text = info->learner_name, .size = 40, .min_size = 22, .max_lines = 2,
    .weight = PANGO_WEIGHT_BOLD, .gray = INK, .space_before = MM (3.0),
  };
  if (registration != NULL)
    styles[n_styles++] = (TextStyle) {
      .text = registration, .size = 11, .min_size = 8, .max_lines = 1,
      .weight = PANGO_WEIGHT_NORMAL, .gray = INK_LIGHT, .space_before = MM (1.0),
    };
  styles[n_styles++] = (TextStyle) {
    /* Translators: on a certificate, between the learner's name and the course title */
    .text = _("has completed the course"), .size = 14, .min_size = 10, .max_lines = 2,
    .weight = PANGO_WEIGHT_NORMAL, .gray = INK_LIGHT, .space_before = MM (6.0),
  };
  styles[n_styles++] = (TextStyle) {
    .text = info->course_title, .size = 24, .min_size = 13, .max_lines = 3,
    .weight = PANGO_WEIGHT_BOLD, .gray = INK, .space_before = MM (2.0),
  };
  if (has_programme)
    styles[n_styles++] = (TextStyle) {
      .text = info->programme, .size = 13, .min_size = 9, .max_lines = 2,
      .weight = PANGO_WEIGHT_NORMAL, .gray = INK, .space_before = MM (5.0),
    };
  styles[n_styles++] = (TextStyle) {
    .text = hours, .size = 13, .min_size = 9, .max_lines = 1,
    .weight = PANGO_WEIGHT_NORMAL, .gray = INK,
    .space_before = has_programme ? MM (1.0) : MM (5.0),
  };

  /* Very long names and titles at their smallest can still make it too tall: then
   * everything in the middle shrinks together, so it keeps its proportions. */
  available = qr_y - QR_QUIET * module - MM (2.0) - top;
  for (scale = 1.0;; scale *= 0.92)
    {
      total = 0;
      g_ptr_array_set_size (middle, 0);
      for (guint i = 0; i < n_styles; i++)
        {
          PangoLayout *layout = make_layout (context, &styles[i], text_width, scale);

          total += styles[i].space_before * scale + layout_height (layout);
          g_ptr_array_add (middle, layout);
        }
      if (total <= available || scale < 0.3)
        break;
    }

  y = top + MAX (0, (available - total) / 2);
  for (guint i = 0; i < n_styles; i++)
    {
      PangoLayout *layout = g_ptr_array_index (middle, i);

      y += styles[i].space_before * scale;
      show_layout (cr, layout, left, y, styles[i].gray);
      y += layout_height (layout);
    }

  /* the layouts keep their own references to it */
  g_object_unref (context);

  return TRUE;
}

/**
 * sy_certificate_write_pdf:
 * @info: what the certificate says
 * @path: where to write it; an existing file there is replaced
 * @error: return location for a #GError, or %NULL
 *
 * Writes a one-page A4 landscape PDF certificate. It is rendered to a temporary file next
 * to @path and renamed over it only when complete, so a full disk or a crash never leaves
 * a half-written certificate (or destroys the previous one).
 *
 * Returns: %TRUE on success, or %FALSE with @error set (%SY_CERTIFICATE_ERROR_WRITE)
 */
static const char *
draw_certificate_page (cairo_t  *cr,
                       gpointer  info)
{
  if (!draw_certificate (cr, info))
    return _("the verification code is too long for a QR code");
  return NULL;
}

gboolean
sy_certificate_write_pdf (const SyCertificateInfo *info,
                          const char              *path,
                          GError                 **error)
{
  g_autofree char *pdf_title = NULL;

  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (info->learner_name != NULL, FALSE);
  g_return_val_if_fail (info->course_title != NULL, FALSE);
  g_return_val_if_fail (info->completed != NULL, FALSE);
  g_return_val_if_fail (info->verification_code != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pdf_title = g_strdup_printf ("%s — %s", _("Certificate of Completion"), info->learner_name);
  return _sy_pdf_write (path, PAGE_WIDTH, PAGE_HEIGHT, pdf_title,
                        draw_certificate_page, (gpointer) info,
                        SY_CERTIFICATE_ERROR, SY_CERTIFICATE_ERROR_WRITE, error);
}

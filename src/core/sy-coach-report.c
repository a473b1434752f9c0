/* sy-coach-report.c — a class's coach report as a printable A4 PDF
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Printed on whatever the school has, often a black-and-white laser printer: thin rules,
 * light grey bands, no dark areas. A4 landscape holds a grid of about 32 pupils by 12
 * items; a bigger class or more items continue on further pages, the pupils' names and the
 * items' titles repeated on each. Text goes through Pango so Chinese renders with a CJK
 * font, as on the certificate.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <pango/pangocairo.h>

#include "sy-coach-report.h"
#include "sy-i18n.h"
#include "sy-pdf-private.h"

G_DEFINE_QUARK (sy-coach-report-error-quark, sy_coach_report_error)

#define MM(x) ((x) * 72.0 / 25.4)

/* A4 landscape, in PDF points */
#define PAGE_WIDTH  MM (297.0)
#define PAGE_HEIGHT MM (210.0)
#define MARGIN      MM (12.0)

#define NAME_WIDTH     MM (40.0)
#define MAX_COLUMNS    12
#define MAX_COL_WIDTH  MM (30.0)
#define ROW_HEIGHT     MM (4.6)
/* rows may shrink this far so that a class a little bigger than a page stays on one */
#define MIN_ROW_HEIGHT MM (3.9)
#define MAX_MISSED     10

#define FONT_FAMILY "Noto Sans CJK SC, Noto Sans, Sans"

#define INK       0.10
#define INK_LIGHT 0.38
#define BAND      0.93
#define RULE      0.55

typedef struct
{
  cairo_t             *cr;
  PangoContext        *context;
  const SyCoachReport *report;
  char                *date;
  int                  page;
  double               y;
  double               row_height;
} Ctx;

static PangoLayout *
text_layout (Ctx        *ctx,
             const char *text,
             double      size,
             gboolean    bold,
             double      width,
             int         max_lines,
             PangoAlignment align)
{
  PangoLayout *layout = pango_layout_new (ctx->context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT_FAMILY);

  /* absolute: one unit is one PDF point, whatever the font map's resolution */
  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (layout, align);
  if (max_lines > 0)
    {
      pango_layout_set_height (layout, -max_lines);
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
show_layout (Ctx         *ctx,
             PangoLayout *layout,
             double       x,
             double       y,
             double       gray)
{
  cairo_save (ctx->cr);
  cairo_set_source_rgb (ctx->cr, gray, gray, gray);
  cairo_move_to (ctx->cr, x, y);
  pango_cairo_show_layout (ctx->cr, layout);
  cairo_restore (ctx->cr);
}

/* Draws @text at the cursor and moves the cursor below it. */
static void
paragraph (Ctx        *ctx,
           const char *text,
           double      size,
           gboolean    bold,
           double      gray,
           int         max_lines)
{
  g_autoptr(PangoLayout) layout = text_layout (ctx, text, size, bold, PAGE_WIDTH - 2 * MARGIN,
                                               max_lines, PANGO_ALIGN_LEFT);

  show_layout (ctx, layout, MARGIN, ctx->y, gray);
  ctx->y += layout_height (layout);
}

static void
hline (Ctx    *ctx,
       double  x0,
       double  x1,
       double  y)
{
  cairo_save (ctx->cr);
  cairo_set_source_rgb (ctx->cr, RULE, RULE, RULE);
  cairo_set_line_width (ctx->cr, 0.4);
  cairo_move_to (ctx->cr, x0, y);
  cairo_line_to (ctx->cr, x1, y);
  cairo_stroke (ctx->cr);
  cairo_restore (ctx->cr);
}

/* Ends the current page, if any, and starts one with the report's heading. */
static void
new_page (Ctx *ctx)
{
  const SyClass *klass = ctx->report->class_info;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *page = NULL;
  g_autoptr(PangoLayout) footer = NULL;

  if (ctx->page > 0)
    cairo_show_page (ctx->cr);
  ctx->page++;
  ctx->y = MARGIN;

  /* Translators: the heading of a printed report; %s is a class's name */
  title = g_strdup_printf (_("Coach report: %s"), klass->name);
  paragraph (ctx, title, 15, TRUE, INK, 1);
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           /* Translators: teacher's name, date, number of pupils */
                                           "Teacher: %s · %s · %u pupil",
                                           "Teacher: %s · %s · %u pupils",
                                           ctx->report->pupils->len),
                              klass->teacher_name, ctx->date, ctx->report->pupils->len);
  paragraph (ctx, subtitle, 9, FALSE, INK_LIGHT, 1);
  ctx->y += MM (3);

  /* Translators: at the foot of each page of a printed report */
  page = g_strdup_printf (_("Page %d"), ctx->page);
  footer = text_layout (ctx, page, 8, FALSE, PAGE_WIDTH - 2 * MARGIN, 1, PANGO_ALIGN_RIGHT);
  show_layout (ctx, footer, MARGIN, PAGE_HEIGHT - MARGIN + MM (3), INK_LIGHT);
}

static double
bottom (void)
{
  return PAGE_HEIGHT - MARGIN;
}

static char *
format_percent (double score)
{
  /* Translators: a score, e.g. 85%; keep the %% */
  return g_strdup_printf (_("%d%%"), (int) (score * 100 + 0.5));
}

static char *
cell_text (const SyCoachCell *cell)
{
  const char *status;

  switch (cell->status)
    {
    case SY_STATUS_PASSED:
      /* Translators: a pupil's status on a quiz, in a narrow table cell */
      status = _("passed");
      break;
    case SY_STATUS_COMPLETED:
      /* Translators: a pupil's status on a lesson, in a narrow table cell */
      status = _("done");
      break;
    case SY_STATUS_IN_PROGRESS:
      /* a score on an item not passed: a quiz tried and failed */
      status = cell->best_score >= 0
               /* Translators: a pupil's status on a quiz tried and failed, in a narrow table cell */
               ? _("not passed")
               /* Translators: a pupil's status on an item, in a narrow table cell */
               : _("started");
      break;
    case SY_STATUS_NOT_STARTED:
    default:
      return g_strdup ("—");
    }
  if (cell->best_score >= 0)
    {
      g_autofree char *score = format_percent (cell->best_score);
      return g_strdup_printf ("%s %s", status, score);
    }
  return g_strdup (status);
}

/* One page's worth of the grid: pupils [@p0, @p1) × items [@i0, @i1). */
static void
draw_grid_part (Ctx   *ctx,
                guint  p0,
                guint  p1,
                guint  i0,
                guint  i1,
                double col_width,
                double header_height)
{
  const SyCoachReport *report = ctx->report;
  double x_end = MARGIN + NAME_WIDTH + (i1 - i0) * col_width;
  double y = ctx->y;

  /* the items' titles, up to three lines each */
  for (guint i = i0; i < i1; i++)
    {
      SyCoachItem *item = g_ptr_array_index (report->items, i);
      g_autoptr(PangoLayout) layout = text_layout (ctx, sy_text_get (item->title, NULL), 7, TRUE,
                                                   col_width - MM (1), 3, PANGO_ALIGN_CENTER);

      show_layout (ctx, layout, MARGIN + NAME_WIDTH + (i - i0) * col_width + MM (0.5),
                   y + header_height - layout_height (layout) - MM (0.8), INK);
    }
  {
    /* Translators: the heading of the column of pupils' names in a printed report */
    g_autoptr(PangoLayout) layout = text_layout (ctx, _("Pupil"), 7, TRUE, NAME_WIDTH - MM (1),
                                                 1, PANGO_ALIGN_LEFT);
    show_layout (ctx, layout, MARGIN + MM (0.5),
                 y + header_height - layout_height (layout) - MM (0.8), INK);
  }
  y += header_height;
  hline (ctx, MARGIN, x_end, y);

  for (guint p = p0; p < p1; p++)
    {
      SyCoachPupil *pupil = g_ptr_array_index (report->pupils, p);
      g_autoptr(PangoLayout) name = text_layout (ctx, pupil->name, 7.5, FALSE,
                                                 NAME_WIDTH - MM (1.5), 1, PANGO_ALIGN_LEFT);

      if ((p - p0) % 2 == 1)
        {
          cairo_save (ctx->cr);
          cairo_set_source_rgb (ctx->cr, BAND, BAND, BAND);
          cairo_rectangle (ctx->cr, MARGIN, y, x_end - MARGIN, ctx->row_height);
          cairo_fill (ctx->cr);
          cairo_restore (ctx->cr);
        }
      show_layout (ctx, name, MARGIN + MM (0.5), y + (ctx->row_height - layout_height (name)) / 2,
                   INK);
      for (guint i = i0; i < i1; i++)
        {
          const SyCoachCell *cell = sy_coach_report_get_cell (report, p, i);
          g_autofree char *text = cell_text (cell);
          g_autoptr(PangoLayout) layout = text_layout (ctx, text, 7, FALSE, col_width - MM (1),
                                                       1, PANGO_ALIGN_CENTER);

          show_layout (ctx, layout, MARGIN + NAME_WIDTH + (i - i0) * col_width + MM (0.5),
                       y + (ctx->row_height - layout_height (layout)) / 2,
                       cell->status == SY_STATUS_NOT_STARTED ? INK_LIGHT : INK);
        }
      y += ctx->row_height;
    }
  hline (ctx, MARGIN, x_end, y);

  /* thin column rules */
  cairo_save (ctx->cr);
  cairo_set_source_rgb (ctx->cr, RULE, RULE, RULE);
  cairo_set_line_width (ctx->cr, 0.3);
  for (guint i = i0; i <= i1; i++)
    {
      double x = MARGIN + NAME_WIDTH + (i - i0) * col_width;

      cairo_move_to (ctx->cr, x, ctx->y);
      cairo_line_to (ctx->cr, x, y);
    }
  cairo_stroke (ctx->cr);
  cairo_restore (ctx->cr);

  ctx->y = y + MM (4);
}

static void
draw_grid (Ctx *ctx)
{
  const SyCoachReport *report = ctx->report;
  guint n_items = report->items->len, n_pupils = report->pupils->len;
  double avail = PAGE_WIDTH - 2 * MARGIN - NAME_WIDTH;

  if (n_pupils == 0 || n_items == 0)
    {
      paragraph (ctx, n_pupils == 0 ? _("This class has no pupils yet.")
                                    : _("Nothing is assigned to this class yet."),
                 10, FALSE, INK, 0);
      ctx->y += MM (4);
      return;
    }

  for (guint i0 = 0; i0 < n_items; i0 += MAX_COLUMNS)
    {
      guint i1 = MIN (n_items, i0 + MAX_COLUMNS);
      double col_width = MIN (MAX_COL_WIDTH, avail / MIN (n_items, MAX_COLUMNS));
      double header_height = 0;
      guint p0 = 0;

      for (guint i = i0; i < i1; i++)
        {
          SyCoachItem *item = g_ptr_array_index (report->items, i);
          g_autoptr(PangoLayout) layout = text_layout (ctx, sy_text_get (item->title, NULL), 7,
                                                       TRUE, col_width - MM (1), 3,
                                                       PANGO_ALIGN_CENTER);
          header_height = MAX (header_height, layout_height (layout) + MM (1.6));
        }

      /* on a fresh page, would the whole class fit with slightly smaller rows? */
      {
        double fresh = bottom () - MARGIN - MM (22) - header_height - MM (4);

        ctx->row_height = ROW_HEIGHT;
        if (n_pupils * ROW_HEIGHT > fresh && n_pupils * MIN_ROW_HEIGHT <= fresh)
          ctx->row_height = fresh / n_pupils;
      }

      while (p0 < n_pupils)
        {
          guint rows;

          if (bottom () - ctx->y - header_height < 3 * ctx->row_height)
            new_page (ctx);
          rows = (guint) ((bottom () - ctx->y - header_height - MM (4)) / ctx->row_height);
          rows = MAX (rows, 1);
          draw_grid_part (ctx, p0, MIN (n_pupils, p0 + rows), i0, i1, col_width, header_height);
          p0 = MIN (n_pupils, p0 + rows);
          if (p0 < n_pupils)
            new_page (ctx);
        }
    }
}

/* A heading, kept on the same page as at least the first lines after it. */
static void
heading (Ctx        *ctx,
         const char *text)
{
  if (bottom () - ctx->y < MM (20))
    new_page (ctx);
  paragraph (ctx, text, 11, TRUE, INK, 1);
  ctx->y += MM (1.5);
}

static void
draw_missed (Ctx *ctx)
{
  const SyCoachReport *report = ctx->report;

  /* Translators: a section of a printed report */
  heading (ctx, _("Questions most often missed"));
  if (report->missed->len == 0)
    {
      paragraph (ctx, _("No wrong answers so far."), 9, FALSE, INK_LIGHT, 0);
      ctx->y += MM (4);
      return;
    }
  for (guint i = 0; i < MIN (report->missed->len, MAX_MISSED); i++)
    {
      SyMissedQuestion *q = g_ptr_array_index (report->missed, i);
      const char *prompt = q->prompt ? sy_text_get (q->prompt, NULL) : q->question_id;
      g_autofree char *count = NULL;
      g_autofree char *line = NULL;

      count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            /* Translators: wrong answers out of answers */
                                            "%u wrong of %u answer",
                                            "%u wrong of %u answers", q->n_answered),
                               q->n_wrong, q->n_answered);
      line = g_strdup_printf ("%u. %s — %s: %s", i + 1, count,
                              sy_text_get (q->quiz_title, NULL), prompt);
      if (bottom () - ctx->y < MM (6))
        new_page (ctx);
      paragraph (ctx, line, 9, FALSE, INK, 2);
      ctx->y += MM (1);
    }
  ctx->y += MM (3);
}

static void
draw_not_started (Ctx *ctx)
{
  const SyCoachReport *report = ctx->report;
  g_autoptr(GString) names = g_string_new (NULL);

  /* Translators: a section of a printed report: pupils who have begun no assigned item */
  heading (ctx, _("Not started yet"));
  if (report->not_started->len == 0)
    {
      paragraph (ctx, report->items->len ? _("Every pupil has started.") : "—", 9, FALSE,
                 INK_LIGHT, 0);
      return;
    }
  for (guint i = 0; i < report->not_started->len; i++)
    {
      SyCoachPupil *pupil = g_ptr_array_index (report->not_started, i);

      if (i > 0)
        /* Translators: between names in a list */
        g_string_append (names, _(", "));
      g_string_append (names, pupil->name);
    }
  paragraph (ctx, names->str, 9, FALSE, INK, 0);
}

static const char *
draw_report (cairo_t  *cr,
             gpointer  data)
{
  const SyCoachReport *report = data;
  g_autoptr(GDateTime) generated = NULL;
  g_autoptr(GDateTime) local = NULL;
  Ctx ctx = { 0 };

  generated = g_date_time_new_from_iso8601 (report->generated, NULL);
  local = generated ? g_date_time_to_local (generated) : g_date_time_new_now_local ();

  ctx.cr = cr;
  ctx.context = pango_cairo_create_context (cr);
  ctx.report = report;
  ctx.date = g_date_time_format (local, "%Y-%m-%d");

  new_page (&ctx);
  draw_grid (&ctx);
  draw_missed (&ctx);
  draw_not_started (&ctx);

  g_object_unref (ctx.context);
  g_free (ctx.date);
  return NULL;
}

/**
 * sy_coach_report_write_pdf:
 * @report: the report, from sy_store_coach_report()
 * @path: where to write it; an existing file there is replaced
 *
 * Writes the report as an A4 landscape PDF: the grid of pupils × items, the questions most
 * often missed and who has not started, in the user's language. Like the certificate, it
 * is written to a temporary file renamed over @path when complete.
 *
 * Returns: %TRUE on success, or %FALSE with @error set (%SY_COACH_REPORT_ERROR_WRITE)
 */
gboolean
sy_coach_report_write_pdf (const SyCoachReport  *report,
                           const char           *path,
                           GError              **error)
{
  g_autofree char *pdf_title = NULL;

  g_return_val_if_fail (report != NULL && report->class_info != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pdf_title = g_strdup_printf (_("Coach report: %s"), report->class_info->name);
  return _sy_pdf_write (path, PAGE_WIDTH, PAGE_HEIGHT, pdf_title,
                        draw_report, (gpointer) report,
                        SY_COACH_REPORT_ERROR, SY_COACH_REPORT_ERROR_WRITE, error);
}

/* sy-coordinator-view.c — a coordinator's records: completions, surveys, quarantine
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One page of the window's leaflet. It reads this PC's store, which holds the records of
 * the organisation once a sync has pulled them (or only this PC's when it is offline):
 *
 *   Completions: learner × course rows, filtered and sortable, with totals; exports to
 *                CSV and XLSX and batch certificates for the rows shown
 *   Surveys:     a bar chart per question, before and after side by side
 *   Refused:     the records the hub refused, with the reason in plain words
 *
 * A wrong record is voided (a voiding statement, never an edit) after a confirmation.
 * Reports run on the store's worker thread; exports on a thread of their own, so a
 * report of many thousand rows never stops the window.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "sy-coordinator-view-private.h"
#include "sy-course.h"
#include "sy-format.h"
#include "sy-quiz.h"
#include "sy-report.h"
#include "sy-statement.h"
#include "sy-util.h"

/* ---- a report shared by the rows shown and the exports running ---- */

typedef struct
{
  SyCompletionReport *report;
} Report;

static void
report_clear (Report *r)
{
  g_clear_pointer (&r->report, sy_completion_report_free);
}

static Report *
report_new (SyCompletionReport *report)
{
  Report *r = g_rc_box_new0 (Report);

  r->report = report;
  return r;
}

static Report *
report_ref (Report *r)
{
  return g_rc_box_acquire (r);
}

static void
report_unref (Report *r)
{
  g_rc_box_release_full (r, (GDestroyNotify) report_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Report, report_unref)

/* ---- one row of the completions table ---- */

#define SY_TYPE_REPORT_ROW (sy_report_row_get_type ())
G_DECLARE_FINAL_TYPE (SyReportRow, sy_report_row, SY, REPORT_ROW, GObject)

struct _SyReportRow
{
  GObject          parent_instance;
  Report          *report;
  SyCompletionRow *row;          /* owned by report */
};

G_DEFINE_FINAL_TYPE (SyReportRow, sy_report_row, G_TYPE_OBJECT)

static void
sy_report_row_finalize (GObject *object)
{
  SyReportRow *self = SY_REPORT_ROW (object);

  g_clear_pointer (&self->report, report_unref);
  G_OBJECT_CLASS (sy_report_row_parent_class)->finalize (object);
}

static void
sy_report_row_class_init (SyReportRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sy_report_row_finalize;
}

static void
sy_report_row_init (SyReportRow *self)
{
}

static SyReportRow *
sy_report_row_new (Report          *report,
                   SyCompletionRow *row)
{
  SyReportRow *self = g_object_new (SY_TYPE_REPORT_ROW, NULL);

  self->report = report_ref (report);
  self->row = row;
  return self;
}

/* ---- the view ---- */

struct _SyCoordinatorView
{
  AdwBin                parent_instance;

  SyStore              *store;
  SyLearner            *coordinator;
  GCancellable         *cancellable;
  guint                 busy;
  char                 *last_toast;
  char                 *chooser_file;     /* tests: the file a chooser would give */
  GtkFileChooserNative *file_chooser;
  GtkWindow            *dialog;           /* the void dialog (weak) */
  guint                 filter_timeout;

  AdwToastOverlay      *toasts;
  AdwViewStack         *view_stack;
  GtkSpinner           *spinner;
  GtkLabel             *busy_label;

  /* completions */
  GtkDropDown          *programme_drop;
  GPtrArray            *programme_ids;    /* char *, NULL first: any */
  GtkDropDown          *course_drop;
  GPtrArray            *course_ids;       /* char *, NULL first: any */
  GtkEditable          *from_entry;
  GtkEditable          *to_entry;
  GtkDropDown          *status_drop;
  GtkDropDown          *group_drop;
  GListStore           *groups;           /* SyReportGroup */
  GtkColumnViewColumn  *name_column;
  GtkColumnViewColumn  *members_column;
  GtkLabel             *filter_error;
  GtkLabel             *totals[5];
  GtkStack             *completions_stack;
  AdwStatusPage        *completions_status;
  GListStore           *rows;             /* SyReportRow */
  GtkSingleSelection   *selection;
  GtkColumnView        *column_view;
  GtkWidget            *void_button;
  guint                 rows_idle;        /* adding the report's rows to the table */
  guint                 n_added;
  Report               *report;

  /* surveys */
  GtkStack             *surveys_stack;
  AdwStatusPage        *surveys_status;
  GtkBox               *surveys_box;
  GPtrArray            *surveys;          /* SySurveyReport */

  /* quarantine */
  GtkStack             *quarantine_stack;
  GtkListBox           *quarantine_list;
  GPtrArray            *quarantine;       /* SyQuarantined */
};

G_DEFINE_FINAL_TYPE (SyCoordinatorView, sy_coordinator_view, ADW_TYPE_BIN)

static void update_actions (SyCoordinatorView *self);
static void load_completions (SyCoordinatorView *self);
static void show_rows_or_groups (SyCoordinatorView *self);

/* ---- small things ---- */

static void
show_toast (SyCoordinatorView *self,
            const char        *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toasts, toast);
  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
}

static void
begin_busy (SyCoordinatorView *self,
            const char        *what)
{
  self->busy++;
  gtk_label_set_label (self->busy_label, what);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->busy_label), what != NULL);
  gtk_spinner_start (self->spinner);
  update_actions (self);
}

static void
end_busy (SyCoordinatorView *self)
{
  /* closing the view forgets what ran; an export finishing after it counts nothing */
  if (self->busy == 0)
    return;
  if (--self->busy == 0)
    {
      gtk_spinner_stop (self->spinner);
      gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->busy_label), FALSE);
    }
  update_actions (self);
}

/* An error in a dialog: exports and certificates fail for reasons the user must act on. */
static void
show_error_dialog (SyCoordinatorView *self,
                   const char        *heading,
                   const char        *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static const char *
text_or (SyText     *text,
         const char *fallback)
{
  const char *s = text != NULL ? sy_text_get (text, NULL) : NULL;

  return s != NULL && *s != '\0' ? s : fallback;
}

static char *
today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

/* "2026-03-01T10:00:00+08:00" → "2026-03-01" */
static char *
date_part (const char *iso)
{
  if (iso == NULL)
    return g_strdup ("");
  return g_strndup (iso, MIN (strlen (iso), 10));
}

static char *
format_number (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (fabs (value - round (value)) < 0.005)
    return g_strdup_printf ("%.0f", value);
  g_ascii_formatd (buf, sizeof buf, "%.1f", value);
  return g_strdup (buf);
}

/* ---- filters ---- */

static gboolean
date_is_valid (const char *text)
{
  int y, m, d;
  char tail;

  if (text == NULL || *text == '\0')
    return TRUE;
  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen (text) != 10)
    return FALSE;
  return g_date_valid_dmy (d, m, y);
}

static const char *
dropdown_id (GtkDropDown *drop,
             GPtrArray   *ids)
{
  guint i = gtk_drop_down_get_selected (drop);

  if (ids == NULL || i == GTK_INVALID_LIST_POSITION || i >= ids->len)
    return NULL;
  return g_ptr_array_index (ids, i);
}

static const int statuses[] = { -1, SY_STATUS_COMPLETED, SY_STATUS_IN_PROGRESS, SY_STATUS_NOT_STARTED };

/* Returns: whether the filters are acceptable; if not, says why under them */
static gboolean
get_filter (SyCoordinatorView *self,
            SyReportFilter    *filter)
{
  const char *from = gtk_editable_get_text (self->from_entry);
  const char *to = gtk_editable_get_text (self->to_entry);
  gboolean from_ok = date_is_valid (from);
  gboolean to_ok = date_is_valid (to);
  guint status = gtk_drop_down_get_selected (self->status_drop);

  sy_report_filter_init (filter);
  filter->programme = dropdown_id (self->programme_drop, self->programme_ids);
  filter->course_id = dropdown_id (self->course_drop, self->course_ids);
  filter->from = *from != '\0' ? from : NULL;
  filter->to = *to != '\0' ? to : NULL;
  filter->status = status < G_N_ELEMENTS (statuses) ? statuses[status] : -1;

  if (from_ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->from_entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->from_entry), "error");
  if (to_ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->to_entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->to_entry), "error");

  if (from_ok && to_ok && filter->from != NULL && filter->to != NULL &&
      strcmp (filter->from, filter->to) > 0)
    {
      gtk_label_set_label (self->filter_error, _("The “From” date is after the “To” date."));
      gtk_widget_set_visible (GTK_WIDGET (self->filter_error), TRUE);
      return FALSE;
    }
  if (!from_ok || !to_ok)
    {
      /* Translators: the date format the report's filters take; keep the example as is */
      gtk_label_set_label (self->filter_error, _("Write dates like 2026-03-01 (year-month-day)."));
      gtk_widget_set_visible (GTK_WIDGET (self->filter_error), TRUE);
      return FALSE;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->filter_error), FALSE);
  return TRUE;
}

static gboolean
filter_timeout_cb (gpointer data)
{
  SyCoordinatorView *self = data;

  self->filter_timeout = 0;
  load_completions (self);
  return G_SOURCE_REMOVE;
}

/* Typing a date waits for a pause; a drop-down applies at once. */
static void
filter_changed (SyCoordinatorView *self,
                guint              delay_ms)
{
  if (self->store == NULL)
    return;
  g_clear_handle_id (&self->filter_timeout, g_source_remove);
  self->filter_timeout = g_timeout_add (delay_ms, filter_timeout_cb, self);
}

static void
date_changed_cb (SyCoordinatorView *self)
{
  filter_changed (self, 600);
}

static void
drop_changed_cb (SyCoordinatorView *self)
{
  filter_changed (self, 0);
}

/* ---- the completions ---- */

static void
set_total (SyCoordinatorView *self,
           guint              index,
           const char        *value)
{
  gtk_label_set_label (self->totals[index], value);
}

static void
show_totals (SyCoordinatorView *self)
{
  SyCompletionReport *r = self->report ? self->report->report : NULL;
  g_autofree char *completions = g_strdup_printf ("%u", r ? r->n_completions : 0);
  g_autofree char *hours = format_number (r ? r->class_hours : 0);
  g_autofree char *credits = format_number (r ? r->credits : 0);
  g_autofree char *passes = g_strdup_printf ("%u", r ? r->n_passes : 0);
  g_autofree char *learners = g_strdup_printf ("%u", r ? r->n_learners : 0);

  set_total (self, 0, completions);
  set_total (self, 1, hours);
  set_total (self, 2, credits);
  set_total (self, 3, passes);
  set_total (self, 4, learners);
}

/* The table takes the rows in chunks, one per main loop turn, so the window never waits
 * long. GTK 4.8's column view keeps the cells of up to about 200 rows (milliseconds each
 * to make on an old PC), so those come a few at a time; the rows after them cost little,
 * whether a thousand or a hundred thousand. */
#define FEW_ROWS 200
#define FEW_ROWS_CHUNK 25
#define ROWS_PER_CHUNK 2000

static gboolean
add_rows_cb (gpointer data)
{
  SyCoordinatorView *self = data;
  GPtrArray *rows = self->report->report->rows;
  guint end = MIN (self->n_added + (self->n_added < FEW_ROWS ? FEW_ROWS_CHUNK : ROWS_PER_CHUNK),
                   rows->len);
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (end - self->n_added, g_object_unref);

  for (guint i = self->n_added; i < end; i++)
    g_ptr_array_add (items, sy_report_row_new (self->report, g_ptr_array_index (rows, i)));
  g_list_store_splice (self->rows, self->n_added, 0, items->pdata, items->len);
  self->n_added = end;
  if (end < rows->len)
    return G_SOURCE_CONTINUE;
  self->rows_idle = 0;
  return G_SOURCE_REMOVE;
}

static void
stop_adding_rows (SyCoordinatorView *self)
{
  g_clear_handle_id (&self->rows_idle, g_source_remove);
}

static void
completions_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SyCoordinatorView *self = user_data;
  g_autoptr(SyCompletionReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = sy_store_report_completions_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  end_busy (self);

  if (report == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      adw_status_page_set_icon_name (self->completions_status, "dialog-error-symbolic");
      adw_status_page_set_title (self->completions_status, _("Could Not Make the Report"));
      adw_status_page_set_description (self->completions_status, escaped);
      gtk_stack_set_visible_child_name (self->completions_stack, "status");
      g_object_unref (self);
      return;
    }

  g_clear_pointer (&self->report, report_unref);
  self->report = report_new (g_steal_pointer (&report));

  stop_adding_rows (self);
  g_list_store_remove_all (self->rows);
  self->n_added = 0;
  if (add_rows_cb (self) == G_SOURCE_CONTINUE)
    self->rows_idle = g_idle_add (add_rows_cb, self);
  show_totals (self);

  if (self->report->report->rows->len == 0)
    {
      adw_status_page_set_icon_name (self->completions_status, "edit-find-symbolic");
      adw_status_page_set_title (self->completions_status, _("No Records"));
      adw_status_page_set_description (self->completions_status,
                                       _("No learner has records that match these filters. Records from other PCs arrive when this PC syncs, or from a USB stick (Import Records… in the main menu)."));
      gtk_stack_set_visible_child_name (self->completions_stack, "status");
    }
  else
    show_rows_or_groups (self);

  update_actions (self);
  g_object_unref (self);
}

static void
load_completions (SyCoordinatorView *self)
{
  SyReportFilter filter;

  if (self->store == NULL)
    return;
  if (!get_filter (self, &filter))
    return;

  begin_busy (self, NULL);
  sy_store_report_completions_async (self->store, &filter, self->cancellable, completions_cb,
                                     g_object_ref (self));
}

/* ---- the filters' choices: the courses installed ---- */

static void
courses_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SyCoordinatorView *self = user_data;
  g_autoptr(GPtrArray) courses = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkStringList) programmes = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);

  courses = sy_store_list_courses_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  end_busy (self);

  g_clear_pointer (&self->programme_ids, g_ptr_array_unref);
  g_clear_pointer (&self->course_ids, g_ptr_array_unref);
  self->programme_ids = g_ptr_array_new_with_free_func (g_free);
  self->course_ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->programme_ids, NULL);
  g_ptr_array_add (self->course_ids, NULL);
  gtk_string_list_append (programmes, _("All programmes"));
  gtk_string_list_append (titles, _("All courses"));

  for (guint i = 0; courses != NULL && i < courses->len; i++)
    {
      SyCourse *course = g_ptr_array_index (courses, i);
      const char *programme = sy_course_get_programme (course);
      gboolean seen = FALSE;

      g_ptr_array_add (self->course_ids, g_strdup (sy_course_get_id (course)));
      gtk_string_list_append (titles, text_or (sy_course_get_title (course), sy_course_get_id (course)));

      if (programme == NULL || *programme == '\0')
        continue;
      for (guint p = 1; p < self->programme_ids->len; p++)
        seen |= g_str_equal (g_ptr_array_index (self->programme_ids, p), programme);
      if (!seen)
        {
          g_ptr_array_add (self->programme_ids, g_strdup (programme));
          gtk_string_list_append (programmes, sy_programme_display_name (programme));
        }
    }

  g_signal_handlers_block_by_func (self->programme_drop, drop_changed_cb, self);
  g_signal_handlers_block_by_func (self->course_drop, drop_changed_cb, self);
  gtk_drop_down_set_model (self->programme_drop, G_LIST_MODEL (programmes));
  gtk_drop_down_set_model (self->course_drop, G_LIST_MODEL (titles));
  gtk_drop_down_set_selected (self->programme_drop, 0);
  gtk_drop_down_set_selected (self->course_drop, 0);
  g_signal_handlers_unblock_by_func (self->programme_drop, drop_changed_cb, self);
  g_signal_handlers_unblock_by_func (self->course_drop, drop_changed_cb, self);

  g_object_unref (self);
}

/* ---- the table's cells ---- */

typedef enum
{
  COL_LEARNER,
  COL_COURSE,
  COL_STATUS,
  COL_HOURS,
  COL_CREDITS,
  COL_COMPLETED,
  COL_DEVICE,
} Column;

static char *
cell_text (SyCompletionRow *row,
           Column           column)
{
  switch (column)
    {
    case COL_LEARNER:
      if (row->external_id != NULL && *row->external_id != '\0')
        return g_strdup_printf ("%s (%s)", row->learner_name ? row->learner_name : "",
                                row->external_id);
      return g_strdup (row->learner_name ? row->learner_name : row->learner_uuid);
    case COL_COURSE:
      return g_strdup (text_or (row->course_title, row->course_id));
    case COL_STATUS:
      if (row->status != SY_STATUS_COMPLETED && row->status != SY_STATUS_PASSED && row->n_items > 0)
        /* Translators: a status and items done, e.g. "In progress (3/7)" */
        return g_strdup_printf (_("%s (%u/%u)"), sy_report_status_display (row->status),
                                row->n_done, row->n_items);
      return g_strdup (sy_report_status_display (row->status));
    case COL_HOURS:
      return format_number (row->class_hours);
    case COL_CREDITS:
      return format_number (row->credits);
    case COL_COMPLETED:
      return date_part (row->completed);
    case COL_DEVICE:
    default:
      return g_strdup (row->device_id ? row->device_id : "");
    }
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  data)
{
  Column column = GPOINTER_TO_INT (data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column == COL_HOURS || column == COL_CREDITS)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_widget_add_css_class (label, "numeric");
    }
  else
    gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  data)
{
  SyReportRow *row = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *text = cell_text (row->row, GPOINTER_TO_INT (data));

  gtk_label_set_label (label, text);
  /* a cut name or course can still be read in full */
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), text);
  if (GPOINTER_TO_INT (data) == COL_STATUS)
    {
      if (row->row->completion_id != NULL)
        gtk_widget_add_css_class (GTK_WIDGET (label), "success");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (label), "success");
    }
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      data)
{
  SyCompletionRow *ra = ((SyReportRow *) a)->row;
  SyCompletionRow *rb = ((SyReportRow *) b)->row;
  Column column = GPOINTER_TO_INT (data);
  g_autofree char *ta = NULL;
  g_autofree char *tb = NULL;

  switch (column)
    {
    case COL_HOURS:
      return (ra->class_hours > rb->class_hours) - (ra->class_hours < rb->class_hours);
    case COL_CREDITS:
      return (ra->credits > rb->credits) - (ra->credits < rb->credits);
    case COL_STATUS:
      return (int) ra->status - (int) rb->status;
    default:
      ta = cell_text (ra, column);
      tb = cell_text (rb, column);
      return g_utf8_collate (ta, tb);
    }
}

static void
add_column (SyCoordinatorView *self,
            const char        *title,
            Column             column,
            gboolean           expand,
            int                fixed_width)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;
  g_autoptr(GtkSorter) sorter = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, g_steal_pointer (&factory));
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, GINT_TO_POINTER (column), NULL));
  gtk_column_view_column_set_sorter (col, sorter);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (col, fixed_width);
  gtk_column_view_append_column (self->column_view, col);
}

/* ---- the rows summed per learner, per course or per PC ---- */

typedef enum
{
  GROUP_NONE,
  GROUP_LEARNER,
  GROUP_COURSE,
  GROUP_DEVICE,
} GroupBy;

#define SY_TYPE_REPORT_GROUP (sy_report_group_get_type ())
G_DECLARE_FINAL_TYPE (SyReportGroup, sy_report_group, SY, REPORT_GROUP, GObject)

struct _SyReportGroup
{
  GObject     parent_instance;
  char       *name;
  GHashTable *members;       /* the distinct courses (per learner) or learners */
  guint       n_completions;
  guint       n_passes;
  double      class_hours;
  double      credits;
};

G_DEFINE_FINAL_TYPE (SyReportGroup, sy_report_group, G_TYPE_OBJECT)

static void
sy_report_group_finalize (GObject *object)
{
  SyReportGroup *self = SY_REPORT_GROUP (object);

  g_free (self->name);
  g_hash_table_unref (self->members);
  G_OBJECT_CLASS (sy_report_group_parent_class)->finalize (object);
}

static void
sy_report_group_class_init (SyReportGroupClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sy_report_group_finalize;
}

static void
sy_report_group_init (SyReportGroup *self)
{
  self->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

typedef enum
{
  GCOL_NAME,
  GCOL_MEMBERS,
  GCOL_COMPLETIONS,
  GCOL_PASSES,
  GCOL_HOURS,
  GCOL_CREDITS,
} GroupColumn;

static char *
group_cell_text (SyReportGroup *g,
                 GroupColumn    column)
{
  switch (column)
    {
    case GCOL_NAME:
      return g_strdup (g->name);
    case GCOL_MEMBERS:
      return g_strdup_printf ("%u", g_hash_table_size (g->members));
    case GCOL_COMPLETIONS:
      return g_strdup_printf ("%u", g->n_completions);
    case GCOL_PASSES:
      return g_strdup_printf ("%u", g->n_passes);
    case GCOL_HOURS:
      return format_number (g->class_hours);
    case GCOL_CREDITS:
    default:
      return format_number (g->credits);
    }
}

static double
group_value (SyReportGroup *g,
             GroupColumn    column)
{
  switch (column)
    {
    case GCOL_MEMBERS: return g_hash_table_size (g->members);
    case GCOL_COMPLETIONS: return g->n_completions;
    case GCOL_PASSES: return g->n_passes;
    case GCOL_HOURS: return g->class_hours;
    case GCOL_CREDITS:
    default:
      return g->credits;
    }
}

static int
compare_groups (gconstpointer a,
                gconstpointer b,
                gpointer      data)
{
  SyReportGroup *ga = (SyReportGroup *) a;
  SyReportGroup *gb = (SyReportGroup *) b;
  GroupColumn column = GPOINTER_TO_INT (data);
  double va, vb;

  if (column == GCOL_NAME)
    return g_utf8_collate (ga->name, gb->name);
  va = group_value (ga, column);
  vb = group_value (gb, column);
  return (va > vb) - (va < vb);
}

static void
setup_group_cell_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (data) == GCOL_NAME ? 0.0 : 1.0);
  if (GPOINTER_TO_INT (data) != GCOL_NAME)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_group_cell_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  data)
{
  SyReportGroup *g = gtk_list_item_get_item (item);
  g_autofree char *text = group_cell_text (g, GPOINTER_TO_INT (data));

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), text);
  if (GPOINTER_TO_INT (data) == GCOL_NAME)
    gtk_widget_set_tooltip_text (gtk_list_item_get_child (item), text);
}

static GtkColumnViewColumn *
add_group_column (GtkColumnView *view,
                  const char    *title,
                  GroupColumn    column)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkSorter) sorter = NULL;
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_group_cell_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_group_cell_cb), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, g_steal_pointer (&factory));
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_groups, GINT_TO_POINTER (column), NULL));
  gtk_column_view_column_set_sorter (col, sorter);
  gtk_column_view_column_set_resizable (col, TRUE);
  if (column == GCOL_NAME)
    gtk_column_view_column_set_expand (col, TRUE);
  else
    gtk_column_view_column_set_fixed_width (col, 110);
  gtk_column_view_append_column (view, col);
  g_object_unref (col);   /* the view holds it */
  return col;
}

/* Sums the report's rows per learner, course or PC into the groups table. */
static void
show_groups (SyCoordinatorView *self)
{
  GroupBy by = gtk_drop_down_get_selected (self->group_drop);
  g_autoptr(GHashTable) groups = NULL;
  g_autoptr(GPtrArray) items = NULL;
  GHashTableIter iter;
  gpointer value;
  SyCompletionReport *r = self->report ? self->report->report : NULL;

  if (by == GROUP_NONE || r == NULL)
    {
      g_list_store_remove_all (self->groups);
      return;
    }

  /* Translators: a column of the summary per learner: how many courses they have rows in */
  gtk_column_view_column_set_title (self->members_column,
                                    by == GROUP_LEARNER ? _("Courses") : _("Learners"));
  gtk_column_view_column_set_title (self->name_column,
                                    by == GROUP_LEARNER ? _("Learner") :
                                    by == GROUP_COURSE ? _("Course") : _("PC"));

  groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  for (guint i = 0; i < r->rows->len; i++)
    {
      SyCompletionRow *row = g_ptr_array_index (r->rows, i);
      const char *key, *member;
      SyReportGroup *g;

      switch (by)
        {
        case GROUP_LEARNER:
          key = row->learner_uuid;
          member = row->course_id;
          break;
        case GROUP_COURSE:
          key = row->course_id;
          member = row->learner_uuid;
          break;
        case GROUP_DEVICE:
        default:
          key = row->device_id ? row->device_id : "";
          member = row->learner_uuid;
          break;
        }
      g = g_hash_table_lookup (groups, key);
      if (g == NULL)
        {
          g = g_object_new (SY_TYPE_REPORT_GROUP, NULL);
          g->name = by == GROUP_LEARNER ? cell_text (row, COL_LEARNER) :
                    by == GROUP_COURSE ? cell_text (row, COL_COURSE) :
                    g_strdup (row->device_id ? row->device_id : _("Unknown PC"));
          g_hash_table_insert (groups, g_strdup (key), g);
        }
      g_hash_table_add (g->members, g_strdup (member));
      if (row->status == SY_STATUS_COMPLETED || row->status == SY_STATUS_PASSED)
        g->n_completions++;
      if (row->completion_id != NULL)
        g->n_passes++;
      g->class_hours += row->class_hours;
      g->credits += row->credits;
    }

  items = g_ptr_array_new_full (g_hash_table_size (groups), g_object_unref);
  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (items, g_object_ref (value));
  g_list_store_splice (self->groups, 0, g_list_model_get_n_items (G_LIST_MODEL (self->groups)),
                       items->pdata, items->len);
}

static void
show_rows_or_groups (SyCoordinatorView *self)
{
  gboolean empty = self->report == NULL || self->report->report->rows->len == 0;

  show_groups (self);
  if (empty)
    return;
  gtk_stack_set_visible_child_name (self->completions_stack,
                                    gtk_drop_down_get_selected (self->group_drop) == GROUP_NONE
                                    ? "rows" : "groups");
  update_actions (self);
}

static SyCompletionRow *
selected_row (SyCoordinatorView *self)
{
  SyReportRow *row = gtk_single_selection_get_selected_item (self->selection);

  return row != NULL ? row->row : NULL;
}

/* ---- surveys: bar charts ---- */

typedef struct
{
  GPtrArray *labels;     /* char * */
  GArray    *counts;     /* guint */
  guint      max;
} Chart;

static void
chart_free (Chart *chart)
{
  g_ptr_array_unref (chart->labels);
  g_array_unref (chart->counts);
  g_free (chart);
}

#define BAR_HEIGHT 26
#define BAR_GAP 6

static void
draw_chart (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        data)
{
  Chart *chart = data;
  GtkWidget *widget = GTK_WIDGET (area);
  GdkRGBA fg, accent = { 0.21, 0.52, 0.89, 1.0 };
  int label_width = 0, count_width = 0;
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);

  /* The labels' column is as wide as the longest, up to two fifths of the chart. */
  for (guint i = 0; i < chart->labels->len; i++)
    {
      int w;
      g_autofree char *count = g_strdup_printf ("%u", g_array_index (chart->counts, guint, i));

      pango_layout_set_text (layout, g_ptr_array_index (chart->labels, i), -1);
      pango_layout_get_pixel_size (layout, &w, NULL);
      label_width = MAX (label_width, w);
      pango_layout_set_text (layout, count, -1);
      pango_layout_get_pixel_size (layout, &w, NULL);
      count_width = MAX (count_width, w);
    }
  label_width = MIN (label_width + 12, width * 2 / 5);
  count_width += 10;

  for (guint i = 0; i < chart->labels->len; i++)
    {
      guint count = g_array_index (chart->counts, guint, i);
      double y = i * (BAR_HEIGHT + BAR_GAP);
      double room = MAX (0, width - label_width - count_width);
      double bar = chart->max > 0 ? room * count / chart->max : 0;
      g_autofree char *text = g_strdup_printf ("%u", count);
      int tw, th;

      /* label, cut to its column */
      pango_layout_set_text (layout, g_ptr_array_index (chart->labels, i), -1);
      pango_layout_set_width (layout, (label_width - 12) * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_get_pixel_size (layout, &tw, &th);
      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_move_to (cr, 0, y + (BAR_HEIGHT - th) / 2.0);
      pango_cairo_show_layout (cr, layout);
      pango_layout_set_width (layout, -1);

      /* a faint track, then the bar */
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.08);
      cairo_rectangle (cr, label_width, y + 3, room, BAR_HEIGHT - 6);
      cairo_fill (cr);
      if (bar > 0)
        {
          gdk_cairo_set_source_rgba (cr, &accent);
          cairo_rectangle (cr, label_width, y + 3, MAX (bar, 2), BAR_HEIGHT - 6);
          cairo_fill (cr);
        }

      pango_layout_set_text (layout, text, -1);
      pango_layout_get_pixel_size (layout, &tw, &th);
      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_move_to (cr, label_width + bar + 6, y + (BAR_HEIGHT - th) / 2.0);
      pango_cairo_show_layout (cr, layout);
    }
}

static char *
bucket_label (SySurveyQuestion *q,
              guint             i)
{
  g_autofree char *lo = format_number (q->bucket_start + i * q->bucket_width);
  g_autofree char *hi = format_number (q->bucket_start + (i + 1) * q->bucket_width);
  const char *unit = q->unit ? sy_text_get (q->unit, NULL) : NULL;

  if (unit != NULL && *unit != '\0')
    return g_strdup_printf ("%s–%s %s", lo, hi, unit);
  return g_strdup_printf ("%s–%s", lo, hi);
}

/* Returns: (transfer full) (nullable): a chart of @stats, or %NULL if nobody answered */
static GtkWidget *
make_chart (SySurveyQuestion *q,
            SyAnswerStats    *stats,
            const char       *caption)
{
  Chart *chart;
  GtkWidget *box, *area, *label;
  g_autoptr(GString) description = g_string_new (NULL);
  guint n;

  if (stats == NULL || stats->n_answers == 0 || stats->counts == NULL || stats->counts->len == 0)
    return NULL;

  chart = g_new0 (Chart, 1);
  chart->labels = g_ptr_array_new_with_free_func (g_free);
  chart->counts = g_array_new (FALSE, FALSE, sizeof (guint));
  /* free-text answers: the most frequent only */
  n = q->type == SY_QUESTION_TEXT ? MIN (stats->counts->len, 8) : stats->counts->len;
  for (guint i = 0; i < n; i++)
    {
      SyAnswerCount *c = g_ptr_array_index (stats->counts, i);
      char *text = q->type == SY_QUESTION_NUMBER ? bucket_label (q, i)
                                                 : g_strdup (text_or (c->label, c->answer));

      g_ptr_array_add (chart->labels, text);
      g_array_append_val (chart->counts, c->count);
      chart->max = MAX (chart->max, c->count);
      g_string_append_printf (description, "%s%s: %u", i > 0 ? "; " : "", text, c->count);
    }

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_hexpand (box, TRUE);
  if (caption != NULL)
    {
      label = gtk_label_new (caption);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_box_append (GTK_BOX (box), label);
    }

  area = gtk_drawing_area_new ();
  gtk_widget_set_hexpand (area, TRUE);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area),
                                       n * (BAR_HEIGHT + BAR_GAP));
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), 200);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_chart, chart,
                                  (GDestroyNotify) chart_free);
  /* what the chart shows, for a screen reader */
  gtk_accessible_update_property (GTK_ACCESSIBLE (area),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, caption ? caption : "",
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description->str,
                                  -1);
  gtk_box_append (GTK_BOX (box), area);

  if (q->type == SY_QUESTION_NUMBER)
    {
      g_autofree char *mean = format_number (stats->mean);
      g_autofree char *lo = format_number (stats->min);
      g_autofree char *hi = format_number (stats->max);
      /* Translators: statistics of a number question's answers */
      g_autofree char *text = g_strdup_printf (_("Average %s, lowest %s, highest %s"), mean, lo, hi);

      label = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (box), label);
    }
  return box;
}

static void
show_surveys (SyCoordinatorView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->surveys_box))) != NULL)
    gtk_box_remove (self->surveys_box, child);

  if (self->surveys == NULL || self->surveys->len == 0)
    {
      adw_status_page_set_icon_name (self->surveys_status, "view-list-bullet-symbolic");
      adw_status_page_set_title (self->surveys_status, _("No Survey Answers Yet"));
      adw_status_page_set_description (self->surveys_status,
                                       _("Answers to the courses’ surveys show here as charts."));
      gtk_stack_set_visible_child_name (self->surveys_stack, "status");
      return;
    }

  for (guint s = 0; s < self->surveys->len; s++)
    {
      SySurveyReport *survey = g_ptr_array_index (self->surveys, s);
      GtkWidget *heading, *sub;
      g_autofree char *counts = NULL;

      heading = gtk_label_new (text_or (survey->title, survey->item_id));
      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
      gtk_widget_add_css_class (heading, "title-2");
      if (s > 0)
        gtk_widget_set_margin_top (heading, 24);
      gtk_box_append (self->surveys_box, heading);

      if (survey->n_repeated > 0)
        /* Translators: %1$s is a course; then numbers of learners */
        counts = g_strdup_printf (_("%s · %u learners answered, %u of them twice (before and after)"),
                                  text_or (survey->course_title, survey->course_id),
                                  survey->n_learners, survey->n_repeated);
      else
        counts = g_strdup_printf (_("%s · %u learners answered"),
                                  text_or (survey->course_title, survey->course_id),
                                  survey->n_learners);
      sub = gtk_label_new (counts);
      gtk_label_set_xalign (GTK_LABEL (sub), 0);
      gtk_label_set_wrap (GTK_LABEL (sub), TRUE);
      gtk_widget_add_css_class (sub, "dim-label");
      gtk_box_append (self->surveys_box, sub);

      for (guint i = 0; i < survey->questions->len; i++)
        {
          SySurveyQuestion *q = g_ptr_array_index (survey->questions, i);
          GtkWidget *frame, *inner, *prompt, *chart;
          g_autofree char *answered = NULL;

          frame = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
          gtk_widget_add_css_class (frame, "card");
          gtk_widget_set_margin_top (frame, 12);
          inner = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
          gtk_widget_set_margin_start (inner, 12);
          gtk_widget_set_margin_end (inner, 12);
          gtk_widget_set_margin_top (inner, 12);
          gtk_widget_set_margin_bottom (inner, 12);
          gtk_box_append (GTK_BOX (frame), inner);

          prompt = gtk_label_new (text_or (q->prompt, q->question_id));
          gtk_label_set_xalign (GTK_LABEL (prompt), 0);
          gtk_label_set_wrap (GTK_LABEL (prompt), TRUE);
          gtk_widget_add_css_class (prompt, "heading");
          gtk_box_append (GTK_BOX (inner), prompt);

          answered = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u answer", "%u answers",
                                                   q->all ? q->all->n_answers : 0),
                                      q->all ? q->all->n_answers : 0);
          chart = make_chart (q, q->all, answered);
          if (chart == NULL)
            {
              GtkWidget *none = gtk_label_new (_("Nobody has answered this question yet."));

              gtk_label_set_xalign (GTK_LABEL (none), 0);
              gtk_widget_add_css_class (none, "dim-label");
              gtk_box_append (GTK_BOX (inner), none);
            }
          else
            gtk_box_append (GTK_BOX (inner), chart);

          if (survey->n_repeated > 0 && q->first != NULL && q->latest != NULL &&
              q->first->n_answers > 0 && q->latest->n_answers > 0)
            {
              GtkWidget *pair = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
              GtkWidget *before = make_chart (q, q->first, _("Before (first time)"));
              GtkWidget *after = make_chart (q, q->latest, _("After (latest time)"));

              gtk_box_set_homogeneous (GTK_BOX (pair), TRUE);
              gtk_widget_set_margin_top (pair, 6);
              if (before != NULL)
                gtk_box_append (GTK_BOX (pair), before);
              if (after != NULL)
                gtk_box_append (GTK_BOX (pair), after);
              gtk_box_append (GTK_BOX (inner), pair);
            }
          gtk_box_append (self->surveys_box, frame);
        }
    }
  gtk_stack_set_visible_child_name (self->surveys_stack, "surveys");
}

static void
surveys_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SyCoordinatorView *self = user_data;
  g_autoptr(GPtrArray) surveys = NULL;
  g_autoptr(GError) error = NULL;

  surveys = sy_store_report_surveys_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  end_busy (self);
  if (error != NULL)
    g_debug ("No survey report: %s", error->message);

  g_clear_pointer (&self->surveys, g_ptr_array_unref);
  self->surveys = g_steal_pointer (&surveys);
  show_surveys (self);
  update_actions (self);
  g_object_unref (self);
}

/* ---- the quarantine ---- */

/* What the quarantine page shows: the records, and their activities in words */
typedef struct
{
  GPtrArray  *items;       /* SyQuarantined */
  GHashTable *activities;  /* activity IRI → "item (course)" */
} Quarantine;

static void
quarantine_free (Quarantine *q)
{
  g_clear_pointer (&q->items, g_ptr_array_unref);
  g_clear_pointer (&q->activities, g_hash_table_unref);
  g_free (q);
}

/* ".../course/<course>/item/<item>" → the course and item ids */
static gboolean
parse_activity (const char  *iri,
                char       **course_id,
                char       **item_id)
{
  const char *c = iri ? strstr (iri, "/course/") : NULL;
  const char *i;

  if (c == NULL)
    return FALSE;
  c += strlen ("/course/");
  i = strstr (c, "/item/");
  *course_id = i ? g_strndup (c, i - c) : g_strdup (c);
  *item_id = i ? g_strdup (i + strlen ("/item/")) : NULL;
  return **course_id != '\0';
}

static void
list_quarantine_thread (GTask        *task,
                        gpointer      source,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  SyStore *store = source;
  GError *error = NULL;
  Quarantine *q = g_new0 (Quarantine, 1);
  g_autoptr(GHashTable) courses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  q->items = sy_store_list_quarantine (store, cancellable, &error);
  if (q->items == NULL)
    {
      quarantine_free (q);
      g_task_return_error (task, error);
      return;
    }

  /* the titles of what each record is about, from the courses installed */
  q->activities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < q->items->len; i++)
    {
      SyQuarantined *item = g_ptr_array_index (q->items, i);
      g_autofree char *course_id = NULL;
      g_autofree char *item_id = NULL;
      SyCourse *course;
      SyItem *found = NULL;
      const char *course_title;

      if (item->activity == NULL || g_hash_table_contains (q->activities, item->activity) ||
          !parse_activity (item->activity, &course_id, &item_id))
        continue;
      course = g_hash_table_lookup (courses, course_id);
      if (course == NULL)
        {
          course = sy_store_get_course (store, course_id, NULL, cancellable, NULL);
          if (course == NULL)
            continue;
          g_hash_table_insert (courses, g_strdup (course_id), course);
        }
      course_title = text_or (sy_course_get_title (course), course_id);
      if (item_id != NULL)
        found = sy_course_find_item (course, item_id);
      if (item_id != NULL)
        /* Translators: an item of a course, then the course, e.g. "The cash book (Retail)" */
        g_hash_table_insert (q->activities, g_strdup (item->activity),
                             g_strdup_printf (_("%s (%s)"),
                                              found ? text_or (found->title, item_id) : item_id,
                                              course_title));
      else
        g_hash_table_insert (q->activities, g_strdup (item->activity), g_strdup (course_title));
    }
  g_task_return_pointer (task, q, (GDestroyNotify) quarantine_free);
}

static const char *
verb_display (const char *iri)
{
  switch (sy_verb_from_iri (iri))
    {
    /* Translators: what a record says a learner did, before what they did it in */
    case SY_VERB_LAUNCHED: return _("Opened");
    case SY_VERB_PROGRESSED: return _("Studied");
    case SY_VERB_ATTEMPTED: return _("Began");
    case SY_VERB_ANSWERED: return _("Answered a question in");
    case SY_VERB_COMPLETED: return _("Completed");
    case SY_VERB_PASSED: return _("Passed");
    case SY_VERB_FAILED: return _("Did not pass");
    case SY_VERB_VOIDED: return _("Voided a record");
    case SY_VERB_ATTENDED: return _("Attended");
    case SY_VERB_OTHER:
    default:
      return NULL;
    }
}

static const char *
quarantine_reason (SyQuarantined *item)
{
  switch (item->status)
    {
    case 409:
      return _("The hub already has a different record with the same id.");
    case 400:
      return _("The hub found this record invalid.");
    default:
      return _("The hub refused this record.");
    }
}

static void
show_quarantine (SyCoordinatorView *self,
                 GHashTable        *activities)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->quarantine_list))) != NULL)
    gtk_list_box_remove (self->quarantine_list, child);

  if (self->quarantine == NULL || self->quarantine->len == 0)
    {
      gtk_stack_set_visible_child_name (self->quarantine_stack, "empty");
      return;
    }

  for (guint i = 0; i < self->quarantine->len; i++)
    {
      SyQuarantined *item = g_ptr_array_index (self->quarantine, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button;
      g_autofree char *date = date_part (item->timestamp);
      g_autofree char *title = NULL;
      g_autofree char *what = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *title_markup = NULL;
      g_autofree char *subtitle_markup = NULL;
      const char *activity = activities ? g_hash_table_lookup (activities, item->activity ? item->activity : "") : NULL;
      const char *verb = verb_display (item->verb);

      /* Translators: whose record, and the day it was made */
      title = g_strdup_printf (_("%s · %s"),
                               item->learner_name ? item->learner_name : _("Unknown learner"),
                               date);
      /* Translators: what a record says, e.g. "Studied: The cash book (Retail)" */
      what = g_strdup_printf (_("%s: %s"), verb ? verb : (item->verb ? item->verb : ""),
                              activity ? activity : (item->activity ? item->activity : ""));
      if (item->reason != NULL && *item->reason != '\0')
        /* Translators: what the record says; the reason in plain words; the hub's own words */
        subtitle = g_strdup_printf (_("%s\n%s The hub said: “%s”"), what, quarantine_reason (item),
                                    item->reason);
      else
        subtitle = g_strdup_printf ("%s\n%s", what, quarantine_reason (item));
      title_markup = g_markup_escape_text (title, -1);
      subtitle_markup = g_markup_escape_text (subtitle, -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title_markup);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle_markup);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);

      button = gtk_button_new_with_mnemonic (_("_Void…"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "coordinator.void");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", item->statement_id);
      {
        /* Translators: the Void button's label for a screen reader; %s is whose record */
        g_autofree char *label = g_strdup_printf (_("Void the record of %s"), title);

        gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->quarantine_list, row);
    }
  gtk_stack_set_visible_child_name (self->quarantine_stack, "list");
}

static void
quarantine_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  SyCoordinatorView *self = user_data;
  Quarantine *q;
  g_autoptr(GError) error = NULL;

  q = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  end_busy (self);
  if (error != NULL)
    show_toast (self, error->message);

  g_clear_pointer (&self->quarantine, g_ptr_array_unref);
  if (q != NULL)
    self->quarantine = g_steal_pointer (&q->items);
  show_quarantine (self, q ? q->activities : NULL);
  g_clear_pointer (&q, quarantine_free);
  g_object_unref (self);
}

/**
 * sy_coordinator_view_reload:
 *
 * Makes the reports again: after a sync or an import brought records.
 */
void
sy_coordinator_view_reload (SyCoordinatorView *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SY_IS_COORDINATOR_VIEW (self));

  if (self->store == NULL)
    return;

  load_completions (self);

  begin_busy (self, NULL);
  sy_store_report_surveys_async (self->store, NULL, self->cancellable, surveys_cb,
                                 g_object_ref (self));

  begin_busy (self, NULL);
  task = g_task_new (self->store, self->cancellable, quarantine_cb, g_object_ref (self));
  g_task_set_source_tag (task, sy_coordinator_view_reload);
  g_task_run_in_thread (task, list_quarantine_thread);
}

/* ---- voiding ---- */

static void
void_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SyCoordinatorView *self = user_data;
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;

  id = sy_store_void_statement_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  end_busy (self);
  if (id == NULL)
    show_error_dialog (self, _("Could Not Void the Record"), error->message);
  else
    {
      show_toast (self, _("Record voided. Progress and totals are recomputed."));
      sy_coordinator_view_reload (self);
    }
  g_object_unref (self);
}

static void
void_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  SyCoordinatorView *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "sy-statement");

  /* the dialog closes itself; another may open before it is gone */
  if (self->dialog == GTK_WINDOW (dialog))
    g_clear_weak_pointer (&self->dialog);
  if (g_strcmp0 (response, "void") == 0 && self->store != NULL && self->coordinator != NULL)
    {
      begin_busy (self, _("Voiding…"));
      sy_store_void_statement_async (self->store, id, sy_learner_get_uuid (self->coordinator),
                                     self->cancellable, void_cb, g_object_ref (self));
    }
}

static void
confirm_void (SyCoordinatorView *self,
              const char        *statement_id,
              const char        *what)
{
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  if (self->dialog != NULL)
    return;

  /* Translators: %s says which record, e.g. "李明’s completion of “Hand hygiene”" */
  body = g_strdup_printf (_("%s will be voided. The record stays, marked as withdrawn; "
                            "progress and the reports are recomputed without it, here and on "
                            "the hub after the next sync. This cannot be undone."),
                          what);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Void This Record?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "void", _("_Void Record"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "void",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "sy-statement", g_strdup (statement_id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (void_response_cb), self, 0);
  g_set_weak_pointer (&self->dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
void_selected_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  SyCoordinatorView *self = SY_COORDINATOR_VIEW (widget);
  SyCompletionRow *row = selected_row (self);
  g_autofree char *what = NULL;

  if (row == NULL || row->completion_id == NULL)
    return;
  /* Translators: %1$s is a learner, %2$s a course */
  what = g_strdup_printf (_("%s’s completion of “%s”"),
                          row->learner_name ? row->learner_name : row->learner_uuid,
                          text_or (row->course_title, row->course_id));
  confirm_void (self, row->completion_id, what);
}

static void
void_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  SyCoordinatorView *self = SY_COORDINATOR_VIEW (widget);
  const char *id = g_variant_get_string (param, NULL);
  g_autofree char *what = NULL;

  for (guint i = 0; self->quarantine != NULL && i < self->quarantine->len; i++)
    {
      SyQuarantined *item = g_ptr_array_index (self->quarantine, i);

      if (g_str_equal (item->statement_id, id))
        /* Translators: %s is a learner's name */
        what = g_strdup_printf (_("The refused record of %s"),
                                item->learner_name ? item->learner_name : _("Unknown learner"));
    }
  confirm_void (self, id, what ? what : _("This record"));
}

/* ---- exports ---- */

typedef enum
{
  EXPORT_CSV,
  EXPORT_SURVEYS_CSV,
  EXPORT_XLSX,
  EXPORT_CERTIFICATES,
} ExportKind;

typedef struct
{
  ExportKind  kind;
  Report     *report;
  GPtrArray  *surveys;
  char       *path;
} Export;

static void
export_free (Export *e)
{
  g_clear_pointer (&e->report, report_unref);
  g_clear_pointer (&e->surveys, g_ptr_array_unref);
  g_free (e->path);
  g_free (e);
}

static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Export *e = task_data;
  GError *error = NULL;
  g_autoptr(GBytes) csv = NULL;
  gboolean ok;

  switch (e->kind)
    {
    case EXPORT_CSV:
      csv = sy_report_completions_to_csv (e->report->report);
      ok = sy_report_write_csv (csv, e->path, &error);
      break;
    case EXPORT_SURVEYS_CSV:
      csv = sy_report_surveys_to_csv (e->surveys);
      ok = sy_report_write_csv (csv, e->path, &error);
      break;
    case EXPORT_XLSX:
    default:
      ok = sy_report_write_xlsx (e->report->report, e->surveys, e->path, &error);
      break;
    }
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
export_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  SyCoordinatorView *self = user_data;
  Export *e = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  end_busy (self);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, SY_REPORT_ERROR, SY_REPORT_ERROR_NOT_SUPPORTED))
        show_error_dialog (self, _("Excel Files Cannot Be Written Here"),
                           _("This copy of Shuyuan was built without Excel support. Export a CSV file instead: Excel and WPS open it too."));
      else
        show_error_dialog (self, _("Could Not Save the Report"), error->message);
    }
  else
    {
      g_autofree char *name = g_path_get_basename (e->path);
      /* Translators: %s is a file name */
      g_autofree char *text = g_strdup_printf (_("Saved “%s”"), name);

      show_toast (self, text);
    }
  g_object_unref (self);
}

/* The certificates' rows stay alive until they are written, whatever is shown meanwhile. */
typedef struct
{
  SyCoordinatorView *self;
  Report            *report;
} Certificates;

static void
certificates_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Certificates *c = user_data;
  SyCoordinatorView *self = c->self;
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(GError) error = NULL;

  written = sy_report_write_certificates_finish (SY_STORE (object), result, &error);
  report_unref (c->report);
  g_free (c);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  end_busy (self);
  if (written == NULL)
    show_error_dialog (self, _("Could Not Write the Certificates"), error->message);
  else
    {
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u certificate written",
                                      "%u certificates written", written->len),
                         written->len);
      show_toast (self, text);
    }
  g_object_unref (self);
}

static void
run_export (SyCoordinatorView *self,
            ExportKind         kind,
            const char        *path)
{
  g_autoptr(GTask) task = NULL;
  Export *e;

  if (self->report == NULL)
    return;

  if (kind == EXPORT_CERTIFICATES)
    {
      Certificates *c = g_new0 (Certificates, 1);

      c->self = g_object_ref (self);
      c->report = report_ref (self->report);
      begin_busy (self, _("Writing certificates…"));
      /* the rows shown: the filters' selection */
      sy_report_write_certificates_async (self->store, c->report->report->rows, path,
                                          self->cancellable, certificates_cb, c);
      return;
    }

  e = g_new0 (Export, 1);
  e->kind = kind;
  e->report = report_ref (self->report);
  e->surveys = self->surveys ? g_ptr_array_ref (self->surveys) : NULL;
  e->path = g_strdup (path);

  begin_busy (self, _("Saving…"));
  task = g_task_new (self, NULL, export_cb, g_object_ref (self));
  g_task_set_task_data (task, e, (GDestroyNotify) export_free);
  g_task_run_in_thread (task, export_thread);
}

static void
chooser_response_cb (GtkNativeDialog   *native,
                     int                response,
                     SyCoordinatorView *self)
{
  ExportKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (native), "sy-kind"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        run_export (self, kind, path);
    }
  gtk_native_dialog_destroy (native);
  if ((GtkNativeDialog *) self->file_chooser == native)
    g_clear_object (&self->file_chooser);
}

static void
choose_file (SyCoordinatorView *self,
             ExportKind         kind,
             const char        *title,
             const char        *name)
{
  GtkFileChooserNative *native;
  gboolean folder = kind == EXPORT_CERTIFICATES;

  if (self->chooser_file != NULL)
    {
      g_autofree char *path = g_steal_pointer (&self->chooser_file);

      run_export (self, kind, path);
      return;
    }

  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->file_chooser));
      g_clear_object (&self->file_chooser);
    }

  native = gtk_file_chooser_native_new (title, GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                               : GTK_FILE_CHOOSER_ACTION_SAVE,
                                        folder ? _("_Choose") : _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  if (name != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  g_object_set_data (G_OBJECT (native), "sy-kind", GINT_TO_POINTER (kind));
  g_signal_connect_object (native, "response", G_CALLBACK (chooser_response_cb), self, 0);
  self->file_chooser = native;
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static gboolean
surveys_page_shown (SyCoordinatorView *self)
{
  return g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "surveys") == 0;
}

static void
export_csv_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  SyCoordinatorView *self = SY_COORDINATOR_VIEW (widget);
  g_autofree char *date = today ();
  g_autofree char *name = NULL;

  if (surveys_page_shown (self) && self->surveys != NULL && self->surveys->len > 0)
    {
      /* Translators: a file name; %s is today's date */
      name = g_strdup_printf (_("surveys-%s.csv"), date);
      choose_file (self, EXPORT_SURVEYS_CSV, _("Export Survey Answers"), name);
      return;
    }
  /* Translators: a file name; %s is today's date */
  name = g_strdup_printf (_("completions-%s.csv"), date);
  choose_file (self, EXPORT_CSV, _("Export Completions"), name);
}

static void
export_xlsx_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  SyCoordinatorView *self = SY_COORDINATOR_VIEW (widget);
  g_autofree char *date = today ();
  /* Translators: a file name; %s is today's date */
  g_autofree char *name = g_strdup_printf (_("records-%s.xlsx"), date);

  choose_file (self, EXPORT_XLSX, _("Export to Excel"), name);
}

static void
certificates_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  choose_file (SY_COORDINATOR_VIEW (widget), EXPORT_CERTIFICATES,
               _("Choose a Folder for the Certificates"), NULL);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  sy_coordinator_view_reload (SY_COORDINATOR_VIEW (widget));
}

static void
update_actions (SyCoordinatorView *self)
{
  gboolean open = self->store != NULL && self->coordinator != NULL;
  SyCompletionRow *row = selected_row (self);
  gboolean has_rows = self->report != NULL && self->report->report->rows->len > 0;
  guint n_passes = self->report != NULL ? self->report->report->n_passes : 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "coordinator.export-csv", open && has_rows);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "coordinator.export-xlsx", open && has_rows);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "coordinator.certificates",
                                 open && n_passes > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "coordinator.void-selected",
                                 open && row != NULL && row->completion_id != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "coordinator.void", open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "coordinator.reload", open && self->busy == 0);
}

static void
selection_changed_cb (SyCoordinatorView *self)
{
  update_actions (self);
}

/* ---- building the view ---- */

static GtkWidget *
labelled (const char *mnemonic,
          GtkWidget  *widget)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), widget);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
  return box;
}

static GtkWidget *
make_total (SyCoordinatorView *self,
            guint              index,
            const char        *caption)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *value = gtk_label_new ("0");
  GtkWidget *label = gtk_label_new (caption);

  gtk_widget_add_css_class (value, "title-3");
  gtk_widget_add_css_class (value, "numeric");
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), value);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_hexpand (box, TRUE);
  self->totals[index] = GTK_LABEL (value);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
  return box;
}

static GtkWidget *
build_completions (SyCoordinatorView *self)
{
  GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *filters = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *totals = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *scroller, *entry, *spinner_page;
  g_autoptr(GtkStringList) any = gtk_string_list_new (NULL);
  const char *status_names[] = { _("Any status"), _("Completed"), _("In progress"),
                                 _("Not started"), NULL };
  GtkSortListModel *sorted;

  gtk_widget_set_margin_start (filters, 12);
  gtk_widget_set_margin_end (filters, 12);
  gtk_widget_set_margin_top (filters, 8);

  gtk_string_list_append (any, _("All programmes"));
  self->programme_drop = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (any)), NULL));
  gtk_widget_set_hexpand (GTK_WIDGET (self->programme_drop), TRUE);
  gtk_box_append (GTK_BOX (filters), labelled (_("_Programme"), GTK_WIDGET (self->programme_drop)));
  g_signal_connect_swapped (self->programme_drop, "notify::selected", G_CALLBACK (drop_changed_cb), self);

  {
    g_autoptr(GtkStringList) courses = gtk_string_list_new (NULL);

    gtk_string_list_append (courses, _("All courses"));
    self->course_drop = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&courses)), NULL));
  }
  gtk_widget_set_hexpand (GTK_WIDGET (self->course_drop), TRUE);
  /* a programme may have dozens of courses: typing finds one */
  gtk_drop_down_set_expression (self->course_drop,
                                gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string"));
  gtk_drop_down_set_enable_search (self->course_drop, TRUE);
  gtk_box_append (GTK_BOX (filters), labelled (_("C_ourse"), GTK_WIDGET (self->course_drop)));
  g_signal_connect_swapped (self->course_drop, "notify::selected", G_CALLBACK (drop_changed_cb), self);

  entry = gtk_entry_new ();
  /* Translators: an example date in an empty date field; keep the format */
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("2026-01-01"));
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 10);
  self->from_entry = GTK_EDITABLE (entry);
  gtk_box_append (GTK_BOX (filters), labelled (_("_From"), entry));
  g_signal_connect_swapped (entry, "changed", G_CALLBACK (date_changed_cb), self);
  g_signal_connect_swapped (entry, "activate", G_CALLBACK (drop_changed_cb), self);

  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("2026-12-31"));
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 10);
  self->to_entry = GTK_EDITABLE (entry);
  gtk_box_append (GTK_BOX (filters), labelled (_("_To"), entry));
  g_signal_connect_swapped (entry, "changed", G_CALLBACK (date_changed_cb), self);
  g_signal_connect_swapped (entry, "activate", G_CALLBACK (drop_changed_cb), self);

  self->status_drop = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (status_names));
  gtk_box_append (GTK_BOX (filters), labelled (_("_Status"), GTK_WIDGET (self->status_drop)));
  g_signal_connect_swapped (self->status_drop, "notify::selected", G_CALLBACK (drop_changed_cb), self);
  {
    const char *group_names[] = { _("Each row"), _("Per learner"), _("Per course"), _("Per PC"), NULL };

    self->group_drop = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (group_names));
    gtk_box_append (GTK_BOX (filters), labelled (_("S_how"), GTK_WIDGET (self->group_drop)));
    g_signal_connect_swapped (self->group_drop, "notify::selected", G_CALLBACK (show_rows_or_groups), self);
  }
  gtk_box_append (GTK_BOX (page), filters);

  self->filter_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->filter_error, 0);
  gtk_label_set_wrap (self->filter_error, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->filter_error), "error");
  gtk_widget_set_margin_start (GTK_WIDGET (self->filter_error), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self->filter_error), 4);
  gtk_widget_set_visible (GTK_WIDGET (self->filter_error), FALSE);
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (self->filter_error));

  /* the totals, and voiding the selected row's completion */
  gtk_widget_set_margin_start (totals, 12);
  gtk_widget_set_margin_end (totals, 12);
  gtk_widget_set_margin_top (totals, 8);
  gtk_widget_set_margin_bottom (totals, 8);
  gtk_box_append (GTK_BOX (totals), make_total (self, 0, _("Completions")));
  gtk_box_append (GTK_BOX (totals), make_total (self, 1, _("Class hours")));
  gtk_box_append (GTK_BOX (totals), make_total (self, 2, _("Credits")));
  gtk_box_append (GTK_BOX (totals), make_total (self, 3, _("Passes issued")));
  gtk_box_append (GTK_BOX (totals), make_total (self, 4, _("Learners")));
  self->void_button = gtk_button_new_with_mnemonic (_("_Void Completion…"));
  gtk_widget_set_name (self->void_button, "void-button");
  gtk_widget_set_valign (self->void_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (self->void_button, _("Withdraw the selected row’s completion"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->void_button), "coordinator.void-selected");
  gtk_box_append (GTK_BOX (totals), self->void_button);
  gtk_box_append (GTK_BOX (page), totals);
  gtk_box_append (GTK_BOX (page), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  /* the rows: a list model, so thousands of them cost only the rows on screen */
  self->rows = g_list_store_new (SY_TYPE_REPORT_ROW);
  self->column_view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  gtk_column_view_set_show_column_separators (self->column_view, FALSE);
  gtk_column_view_set_show_row_separators (self->column_view, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->column_view), "data-table");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->column_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Completions"), -1);
  add_column (self, _("Learner"), COL_LEARNER, TRUE, -1);
  add_column (self, _("Course"), COL_COURSE, TRUE, -1);
  add_column (self, _("Status"), COL_STATUS, FALSE, 130);
  add_column (self, _("Class Hours"), COL_HOURS, FALSE, 96);
  add_column (self, _("Credits"), COL_CREDITS, FALSE, 64);
  add_column (self, _("Completed"), COL_COMPLETED, FALSE, 104);
  add_column (self, _("PC"), COL_DEVICE, FALSE, 110);
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->rows)),
                                    g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (selection_changed_cb), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  self->completions_stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->completions_stack), TRUE);
  spinner_page = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (spinner_page));
  gtk_widget_set_size_request (spinner_page, 32, 32);
  gtk_widget_set_halign (spinner_page, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (spinner_page, GTK_ALIGN_CENTER);
  gtk_stack_add_named (self->completions_stack, spinner_page, "loading");
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->column_view));
  gtk_stack_add_named (self->completions_stack, scroller, "rows");
  {
    GtkColumnView *groups_view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
    GtkSortListModel *sorted_groups;
    GtkNoSelection *no_selection;

    self->groups = g_list_store_new (SY_TYPE_REPORT_GROUP);
    gtk_column_view_set_show_row_separators (groups_view, TRUE);
    gtk_widget_add_css_class (GTK_WIDGET (groups_view), "data-table");
    gtk_accessible_update_property (GTK_ACCESSIBLE (groups_view),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _("Summary"), -1);
    self->name_column = add_group_column (groups_view, _("Learner"), GCOL_NAME);
    self->members_column = add_group_column (groups_view, _("Courses"), GCOL_MEMBERS);
    add_group_column (groups_view, _("Completions"), GCOL_COMPLETIONS);
    add_group_column (groups_view, _("Passes issued"), GCOL_PASSES);
    add_group_column (groups_view, _("Class Hours"), GCOL_HOURS);
    add_group_column (groups_view, _("Credits"), GCOL_CREDITS);
    sorted_groups = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->groups)),
                                             g_object_ref (gtk_column_view_get_sorter (groups_view)));
    no_selection = gtk_no_selection_new (G_LIST_MODEL (sorted_groups));
    gtk_column_view_set_model (groups_view, GTK_SELECTION_MODEL (no_selection));
    g_object_unref (no_selection);
    scroller = gtk_scrolled_window_new ();
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (groups_view));
    gtk_stack_add_named (self->completions_stack, scroller, "groups");
  }
  self->completions_status = ADW_STATUS_PAGE (adw_status_page_new ());
  gtk_stack_add_named (self->completions_stack, GTK_WIDGET (self->completions_status), "status");
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (self->completions_stack));
  return page;
}

static GtkWidget *
build_surveys (SyCoordinatorView *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  self->surveys_stack = GTK_STACK (gtk_stack_new ());
  self->surveys_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_widget_set_margin_top (GTK_WIDGET (self->surveys_box), 18);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->surveys_box), 18);
  gtk_widget_set_margin_start (GTK_WIDGET (self->surveys_box), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->surveys_box), 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 900);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->surveys_box));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_stack_add_named (self->surveys_stack, scroller, "surveys");
  self->surveys_status = ADW_STATUS_PAGE (adw_status_page_new ());
  gtk_stack_add_named (self->surveys_stack, GTK_WIDGET (self->surveys_status), "status");
  return GTK_WIDGET (self->surveys_stack);
}

static GtkWidget *
build_quarantine (SyCoordinatorView *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *intro = gtk_label_new (_("The hub refused these records from this PC. They stay here until you decide: void a wrong one, or ask the programme’s support about the others."));
  GtkWidget *empty = adw_status_page_new ();

  self->quarantine_stack = GTK_STACK (gtk_stack_new ());
  gtk_label_set_wrap (GTK_LABEL (intro), TRUE);
  gtk_label_set_xalign (GTK_LABEL (intro), 0);
  gtk_widget_add_css_class (intro, "dim-label");
  self->quarantine_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->quarantine_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->quarantine_list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->quarantine_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Refused records"), -1);
  gtk_box_append (GTK_BOX (box), intro);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->quarantine_list));
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_stack_add_named (self->quarantine_stack, scroller, "list");

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "emblem-ok-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Refused Records"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("The hub has accepted every record this PC sent."));
  gtk_stack_add_named (self->quarantine_stack, empty, "empty");
  gtk_stack_set_visible_child_name (self->quarantine_stack, "empty");
  return GTK_WIDGET (self->quarantine_stack);
}

static void
build (SyCoordinatorView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");
  GtkWidget *switcher_title = adw_view_switcher_title_new ();
  GtkWidget *switcher_bar = adw_view_switcher_bar_new ();
  GtkWidget *export_button = gtk_menu_button_new ();
  g_autoptr(GMenu) menu = g_menu_new ();
  AdwViewStackPage *page;

  gtk_widget_set_tooltip_text (back, _("Back"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (back), "win.go-back");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), back);

  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->spinner), _("Working…"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->spinner));
  self->busy_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_visible (GTK_WIDGET (self->busy_label), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->busy_label), "dim-label");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->busy_label));

  g_menu_append (menu, _("Export _CSV…"), "coordinator.export-csv");
  g_menu_append (menu, _("Export _Excel…"), "coordinator.export-xlsx");
  g_menu_append (menu, _("Write C_ertificates…"), "coordinator.certificates");
  g_menu_append (menu, _("_Refresh"), "coordinator.reload");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (export_button), G_MENU_MODEL (menu));
  gtk_menu_button_set_label (GTK_MENU_BUTTON (export_button), _("_Export"));
  gtk_menu_button_set_use_underline (GTK_MENU_BUTTON (export_button), TRUE);
  gtk_widget_set_tooltip_text (export_button, _("Export the Records Shown"));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), export_button);

  self->view_stack = ADW_VIEW_STACK (adw_view_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->view_stack), TRUE);
  page = adw_view_stack_add_titled (self->view_stack, build_completions (self), "completions",
                                    _("Completions"));
  adw_view_stack_page_set_icon_name (page, "emblem-ok-symbolic");
  page = adw_view_stack_add_titled (self->view_stack, build_surveys (self), "surveys",
                                    _("Surveys"));
  adw_view_stack_page_set_icon_name (page, "view-list-bullet-symbolic");
  page = adw_view_stack_add_titled (self->view_stack, build_quarantine (self), "quarantine",
                                    _("Refused"));
  adw_view_stack_page_set_icon_name (page, "dialog-warning-symbolic");

  adw_view_switcher_title_set_stack (ADW_VIEW_SWITCHER_TITLE (switcher_title), self->view_stack);
  adw_view_switcher_title_set_title (ADW_VIEW_SWITCHER_TITLE (switcher_title), _("Records"));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), switcher_title);
  adw_view_switcher_bar_set_stack (ADW_VIEW_SWITCHER_BAR (switcher_bar), self->view_stack);
  g_object_bind_property (switcher_title, "title-visible", switcher_bar, "reveal",
                          G_BINDING_SYNC_CREATE);

  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->view_stack));
  gtk_box_append (GTK_BOX (box), switcher_bar);

  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, box);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->toasts));
}

/* ---- opening and closing ---- */

/**
 * sy_coordinator_view_open:
 * @coordinator: signed in, with their PIN
 *
 * Shows the records of @store to @coordinator, starting the reports.
 */
void
sy_coordinator_view_open (SyCoordinatorView *self,
                          SyStore           *store,
                          SyLearner         *coordinator)
{
  g_return_if_fail (SY_IS_COORDINATOR_VIEW (self));
  g_return_if_fail (SY_IS_STORE (store));
  g_return_if_fail (SY_IS_LEARNER (coordinator));

  sy_coordinator_view_close (self);
  self->store = g_object_ref (store);
  self->coordinator = g_object_ref (coordinator);
  self->cancellable = g_cancellable_new ();

  gtk_stack_set_visible_child_name (self->completions_stack, "loading");
  adw_view_stack_set_visible_child_name (self->view_stack, "completions");

  begin_busy (self, NULL);
  sy_store_list_courses_async (store, NULL, self->cancellable, courses_cb, g_object_ref (self));
  sy_coordinator_view_reload (self);
}

/**
 * sy_coordinator_view_close:
 *
 * Stops what runs and forgets every record shown: the next person at the PC sees nothing.
 */
void
sy_coordinator_view_close (SyCoordinatorView *self)
{
  GtkWidget *child;

  g_return_if_fail (SY_IS_COORDINATOR_VIEW (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* the cancelled callbacks do not end their busy marks */
  self->busy = 0;
  gtk_spinner_stop (self->spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->busy_label), FALSE);
  g_clear_handle_id (&self->filter_timeout, g_source_remove);
  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);
  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->file_chooser));
      g_clear_object (&self->file_chooser);
    }

  stop_adding_rows (self);
  g_list_store_remove_all (self->rows);
  g_list_store_remove_all (self->groups);
  g_clear_pointer (&self->report, report_unref);
  g_clear_pointer (&self->surveys, g_ptr_array_unref);
  g_clear_pointer (&self->quarantine, g_ptr_array_unref);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->surveys_box))) != NULL)
    gtk_box_remove (self->surveys_box, child);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->quarantine_list))) != NULL)
    gtk_list_box_remove (self->quarantine_list, child);
  gtk_editable_set_text (self->from_entry, "");
  gtk_editable_set_text (self->to_entry, "");
  g_clear_handle_id (&self->filter_timeout, g_source_remove);
  g_signal_handlers_block_by_func (self->status_drop, drop_changed_cb, self);
  gtk_drop_down_set_selected (self->status_drop, 0);
  g_signal_handlers_unblock_by_func (self->status_drop, drop_changed_cb, self);
  g_clear_object (&self->store);
  g_clear_object (&self->coordinator);
  show_totals (self);
  update_actions (self);
}

static void
sy_coordinator_view_dispose (GObject *object)
{
  SyCoordinatorView *self = SY_COORDINATOR_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->filter_timeout, g_source_remove);
  stop_adding_rows (self);
  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->file_chooser));
      g_clear_object (&self->file_chooser);
    }
  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);
  g_clear_weak_pointer (&self->dialog);
  g_clear_object (&self->store);
  g_clear_object (&self->coordinator);
  g_clear_object (&self->selection);
  g_clear_object (&self->rows);
  g_clear_object (&self->groups);
  g_clear_pointer (&self->report, report_unref);
  g_clear_pointer (&self->surveys, g_ptr_array_unref);
  g_clear_pointer (&self->quarantine, g_ptr_array_unref);
  g_clear_pointer (&self->programme_ids, g_ptr_array_unref);
  g_clear_pointer (&self->course_ids, g_ptr_array_unref);

  G_OBJECT_CLASS (sy_coordinator_view_parent_class)->dispose (object);
}

static void
sy_coordinator_view_finalize (GObject *object)
{
  SyCoordinatorView *self = SY_COORDINATOR_VIEW (object);

  g_free (self->last_toast);
  g_free (self->chooser_file);

  G_OBJECT_CLASS (sy_coordinator_view_parent_class)->finalize (object);
}

static void
sy_coordinator_view_class_init (SyCoordinatorViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sy_coordinator_view_dispose;
  object_class->finalize = sy_coordinator_view_finalize;

  gtk_widget_class_install_action (widget_class, "coordinator.export-csv", NULL, export_csv_action);
  gtk_widget_class_install_action (widget_class, "coordinator.export-xlsx", NULL, export_xlsx_action);
  gtk_widget_class_install_action (widget_class, "coordinator.certificates", NULL, certificates_action);
  gtk_widget_class_install_action (widget_class, "coordinator.void-selected", NULL, void_selected_action);
  gtk_widget_class_install_action (widget_class, "coordinator.void", "s", void_action);
  gtk_widget_class_install_action (widget_class, "coordinator.reload", NULL, reload_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "coordinator.export-csv", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "coordinator.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0,
                                       "coordinator.void-selected", NULL);
}

static void
sy_coordinator_view_init (SyCoordinatorView *self)
{
  build (self);
  show_totals (self);
  update_actions (self);
}

GtkWidget *
sy_coordinator_view_new (void)
{
  return g_object_new (SY_TYPE_COORDINATOR_VIEW, NULL);
}

/* ---- for the UI tests (sy-coordinator-view-private.h) ---- */

gboolean
_sy_coordinator_view_is_busy (SyCoordinatorView *self)
{
  return self->busy > 0 || self->filter_timeout != 0 || self->rows_idle != 0;
}

const char *
_sy_coordinator_view_get_last_toast (SyCoordinatorView *self)
{
  return self->last_toast;
}

const SyCompletionReport *
_sy_coordinator_view_get_report (SyCoordinatorView *self)
{
  return self->report ? self->report->report : NULL;
}

GPtrArray *
_sy_coordinator_view_get_surveys (SyCoordinatorView *self)
{
  return self->surveys;
}

GPtrArray *
_sy_coordinator_view_get_quarantine (SyCoordinatorView *self)
{
  return self->quarantine;
}

GtkWindow *
_sy_coordinator_view_get_dialog (SyCoordinatorView *self)
{
  return self->dialog;
}

GtkColumnView *
_sy_coordinator_view_get_column_view (SyCoordinatorView *self)
{
  return self->column_view;
}

GtkEditable *
_sy_coordinator_view_get_from_entry (SyCoordinatorView *self)
{
  return self->from_entry;
}

GtkDropDown *
_sy_coordinator_view_get_status_drop (SyCoordinatorView *self)
{
  return self->status_drop;
}

GtkDropDown *
_sy_coordinator_view_get_group_drop (SyCoordinatorView *self)
{
  return self->group_drop;
}

GListModel *
_sy_coordinator_view_get_groups (SyCoordinatorView *self)
{
  return G_LIST_MODEL (self->groups);
}

GtkDropDown *
_sy_coordinator_view_get_course_drop (SyCoordinatorView *self)
{
  return self->course_drop;
}

void
_sy_coordinator_view_show_page (SyCoordinatorView *self,
                                const char        *name)
{
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

/* The file (or folder) the next file chooser would give, without showing it */
void
_sy_coordinator_view_set_chooser_file (SyCoordinatorView *self,
                                       const char        *path)
{
  g_free (self->chooser_file);
  self->chooser_file = g_strdup (path);
}

/* Returns: the completions of a row of the summary table (_sy_coordinator_view_get_groups()) */
guint
_sy_coordinator_group_get_completions (gpointer group)
{
  return SY_REPORT_GROUP (group)->n_completions;
}

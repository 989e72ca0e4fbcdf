package chainkm.testbed;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One bench figure as a PNG, drawn by XChart: a line per series through its medians, with a
 * shaded band up to its p95 where the series has one, and a logarithmic axis where the values
 * span more than {@value #LOG_RANGE} times (a 20 ms fast profile next to a 1 s paper profile).
 * When x takes a few whole values (numbers of gateways), the ticks sit on exactly those.
 */
final class BenchChart {
    static final double LOG_RANGE = 30;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b), new Color(0x17becf), new Color(0x7f7f7f)};

    /** Where an axis is logarithmic: always, never, or when the range calls for it. */
    enum Scale { LINEAR, LOG, AUTO }

    /** One point of a series; {@code p95} NaN when the series has no band. */
    record Point(double x, double median, double p95) {
        Point(double x, double median) {
            this(x, median, Double.NaN);
        }
    }

    /**
     * A series: its legend name, its points in ascending x, and whether it is drawn dashed (the
     * second of two profiles on one figure); {@code color} indexes a fixed palette, -1 for the
     * next one.
     */
    record Series(String name, List<Point> points, boolean dashed, int color) {
        Series(String name, List<Point> points) {
            this(name, points, false, -1);
        }
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private Scale xScale = Scale.LINEAR;
    private Scale yScale = Scale.AUTO;
    private final List<Series> series = new ArrayList<>();

    BenchChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    BenchChart xScale(Scale s) {
        xScale = s;
        return this;
    }

    BenchChart yScale(Scale s) {
        yScale = s;
        return this;
    }

    BenchChart add(Series s) {
        if (!s.points().isEmpty()) {
            series.add(s);
        }
        return this;
    }

    /** Writes the figure to {@code png}; writes nothing when there is no point at all. */
    void write(Path png) throws IOException {
        if (series.isEmpty()) {
            return;
        }
        boolean logX = logarithmic(xScale, true);
        boolean logY = logarithmic(yScale, false);
        XYChart chart = new XYChartBuilder().width(960).height(600).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel + (logY ? " (log scale)" : "")).build();
        style(chart.getStyler(), logX, logY);
        ticksOnWholeValues(chart, logX);
        int next = 0;
        for (Series s : series) {
            Color c = COLORS[(s.color() >= 0 ? s.color() : next++) % COLORS.length];
            band(chart, s, c);
            XYSeries line = chart.addSeries(s.name(), s.points().stream().mapToDouble(Point::x).toArray(),
                    s.points().stream().mapToDouble(p -> positive(p.median(), logY)).toArray());
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setLineColor(c);
            line.setMarkerColor(c);
            line.setMarker(SeriesMarkers.CIRCLE);
            line.setLineStyle(s.dashed() ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
        }
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static void style(XYStyler st, boolean logX, boolean logY) {
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(0xdddddd));
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setLegendBorderColor(Color.WHITE);
        st.setMarkerSize(7);
        st.setAntiAlias(true);
        st.setXAxisLogarithmic(logX);
        st.setYAxisLogarithmic(logY);
        st.setXAxisDecimalPattern("#,##0.##");
        st.setYAxisDecimalPattern("#,##0.##");
    }

    /** A few whole x values (numbers of gateways): one labelled tick at each, none in between. */
    private void ticksOnWholeValues(XYChart chart, boolean logX) {
        TreeSet<Double> xs = new TreeSet<>();
        series.forEach(s -> s.points().forEach(p -> xs.add(p.x())));
        if (logX || xs.size() > 12 || xs.stream().anyMatch(x -> x != Math.rint(x))) {
            return;
        }
        // whole bounds and dense tick marks: XChart then puts a tick on every whole number, labelled where there is data
        double pad = xs.size() == 1 ? 1 : 0;
        chart.getStyler().setXAxisMin(xs.first() - pad).setXAxisMax(xs.last() + pad);
        chart.getStyler().setXAxisTickMarkSpacingHint(20);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(x -> xs.contains((double) Math.round(x))
                && Math.abs(x - Math.round(x)) < 1e-6 ? Long.toString(Math.round(x)) : "");
    }

    /** The area between the medians and the p95s, drawn under the line in a light shade of its colour. */
    private void band(XYChart chart, Series s, Color c) {
        List<Point> withP95 = s.points().stream().filter(p -> !Double.isNaN(p.p95())).toList();
        if (withP95.size() < 2) {
            return;
        }
        boolean logY = chart.getStyler().isYAxisLogarithmic();
        int n = withP95.size();
        double[] x = new double[2 * n + 1];
        double[] y = new double[2 * n + 1];
        for (int i = 0; i < n; i++) {
            x[i] = withP95.get(i).x();
            y[i] = positive(withP95.get(i).median(), logY);
            x[2 * n - 1 - i] = withP95.get(i).x();
            y[2 * n - 1 - i] = positive(Math.max(withP95.get(i).p95(), withP95.get(i).median()), logY);
        }
        x[2 * n] = x[0];
        y[2 * n] = y[0];
        XYSeries area = chart.addSeries(s.name() + " – p95", x, y);
        area.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        area.setFillColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 50));
        area.setLineColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 90));
        area.setLineStyle(SeriesLines.NONE);
        area.setMarker(SeriesMarkers.NONE);
    }

    private boolean logarithmic(Scale scale, boolean xAxis) {
        if (scale != Scale.AUTO) {
            return scale == Scale.LOG;
        }
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Series s : series) {
            for (Point p : s.points()) {
                for (double v : xAxis ? new double[] {p.x()} : new double[] {p.median(), p.p95()}) {
                    if (v > 0 && !Double.isNaN(v)) {
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
                }
            }
        }
        return max > 0 && max / min > LOG_RANGE;
    }

    /** On a log axis a zero or missing value has no place: it is drawn at a small positive floor. */
    private static double positive(double v, boolean log) {
        if (Double.isNaN(v)) {
            return log ? 1e-3 : 0;
        }
        return log ? Math.max(v, 1e-3) : v;
    }
}

// LoupePlot
